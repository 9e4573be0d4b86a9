"""The Web UI in a real browser: headless Chromium, driven by Selenium, against a real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from faktory_desktop.core.records import DEAD, RETRIES, Source
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient
from tests.integration.wire import ack
from tests.web import browser
from tests.web.web_support import Http, failed, jids, push

pytestmark = pytest.mark.skipif(browser.missing() is not None,
                                reason=browser.missing() or "")

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(2)>'


@pytest.fixture
def chrome() -> Iterator[webdriver.Chrome]:
    driver = browser.chromium()
    yield driver
    driver.quit()


def wait(driver: webdriver.Chrome, timeout: float = 15) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def text_of(driver: webdriver.Chrome, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def samples(driver: webdriver.Chrome) -> int:
    """How many polls of /stats the live graph has plotted."""
    return int(text_of(driver, "live-points").split()[0])


def test_dashboard_graph_updates(http: Http, chrome: webdriver.Chrome,
                                 client: RawClient) -> None:
    chrome.get(http.base + "/")
    chrome.execute_script("localStorage.setItem('timeInterval', '2000')")
    chrome.get(http.base + "/")
    wait(chrome).until(lambda d: samples(d) >= 1)
    before = chrome.execute_script("return document.getElementById('live-graph').toDataURL()")
    jid = push(client, "default")
    assert client.call_json("FETCH default")["jid"] == jid
    assert ack(client, jid) == b"+OK\r\n"
    wait(chrome).until(lambda d: text_of(d, "sum-processed") == "1")  # the next poll
    assert samples(chrome) >= 2
    after = chrome.execute_script("return document.getElementById('live-graph').toDataURL()")
    assert after != before
    history = chrome.execute_script(
        "const c = document.getElementById('history-graph'); return c.width * c.height")
    assert history > 0


def test_retry_a_job_from_retries(web_server: ServerThread, http: Http,
                                  chrome: webdriver.Chrome, client: RawClient) -> None:
    jid = failed(client)
    other = failed(client)
    chrome.get(http.base + "/retries")
    retry = chrome.find_element(By.CSS_SELECTOR, "button[value=retry][data-needs-selection]")
    assert not retry.is_enabled()  # nothing selected yet
    chrome.find_element(By.CSS_SELECTOR, f"input[aria-label='Select {jid}']").click()
    assert retry.is_enabled()
    retry.click()
    wait(chrome).until(ready.text_to_be_present_in_element((By.CLASS_NAME, "notice"),
                                                           "1 job retried."))
    assert jids(web_server, RETRIES) == {other}
    assert jids(web_server, Source.of_queue("failing")) == {jid}


def test_filter_then_kill_and_delete_all_matches(web_server: ServerThread, http: Http,
                                                 chrome: webdriver.Chrome,
                                                 client: RawClient) -> None:
    hits = {failed(client, jobtype="Mailer", args=["welcome", n]) for n in range(3)}
    keep = failed(client, jobtype="Billing", args=["invoice"])
    chrome.get(http.base + "/retries")
    box = chrome.find_element(By.NAME, "text")
    box.send_keys("welcome")
    box.submit()
    wait(chrome).until(ready.text_to_be_present_in_element((By.ID, "match-count"), "3 matches"))
    chrome.find_element(By.XPATH, "//button[text()='Kill all 3 matches']").click()
    chrome.switch_to.alert.accept()
    wait(chrome).until(ready.text_to_be_present_in_element((By.CLASS_NAME, "notice"),
                                                           "3 jobs killed."))
    assert jids(web_server, RETRIES) == {keep}
    assert jids(web_server, DEAD) == hits

    chrome.get(http.base + "/morgue?text=welcome")
    wait(chrome).until(ready.text_to_be_present_in_element((By.ID, "match-count"), "3 matches"))
    chrome.find_element(By.XPATH, "//button[text()='Delete all 3 matches']").click()
    chrome.switch_to.alert.accept()
    wait(chrome).until(ready.text_to_be_present_in_element((By.CLASS_NAME, "notice"),
                                                           "3 jobs deleted."))
    assert jids(web_server, DEAD) == set()


def test_xss_payloads_render_as_text(http: Http, chrome: webdriver.Chrome,
                                     client: RawClient) -> None:
    failed(client, jobtype=XSS_SCRIPT, args=[XSS_SCRIPT, XSS_ATTR], message=XSS_ATTR,
           custom={"note": XSS_SCRIPT})
    for path in ("/retries", "/queues"):
        chrome.get(http.base + path)
        with pytest.raises(NoAlertPresentException):
            chrome.switch_to.alert.text  # noqa: B018 (reading it is the check)
        assert not chrome.find_elements(By.TAG_NAME, "img")
    chrome.get(http.base + "/retries")
    row = chrome.find_element(By.CSS_SELECTOR, "tbody tr")
    assert XSS_SCRIPT in row.text and XSS_ATTR in row.text
    row.find_element(By.CSS_SELECTOR, "td:nth-child(2) a").click()
    wait(chrome).until(ready.presence_of_element_located((By.ID, "payload")))
    with pytest.raises(NoAlertPresentException):
        chrome.switch_to.alert.text  # noqa: B018
    assert not chrome.find_elements(By.TAG_NAME, "img")
    assert f'note: "{XSS_SCRIPT}"' in chrome.find_element(By.TAG_NAME, "main").text
