"""The open-file budget (`server.fdlimit.plan_budget`), a pure function: limits in, budget out."""

from __future__ import annotations

from faktory_desktop.server.fdlimit import BACKLOG, plan_budget


def test_the_budget_never_lowers_the_soft_limit_and_fits_the_cap_under_the_hard_one():
    soft, budget = plan_budget(2000, soft=256, hard=None, open_fds=20)
    assert soft > 2000 + 1024 and budget.max_connections == 2000 and budget.backlog == BACKLOG
    soft, budget = plan_budget(2000, soft=50_000, hard=50_000, open_fds=20)
    assert soft == 50_000 and budget.max_connections == 2000
    soft, budget = plan_budget(2000, soft=256, hard=256, open_fds=20)
    assert soft == 256
    assert budget.max_connections < budget.max_sockets < 256 - budget.backlog


def test_a_tiny_hard_limit_still_leaves_one_connection():
    soft, budget = plan_budget(2000, soft=64, hard=64, open_fds=60)
    assert soft == 64 and budget.max_connections == 1 and budget.max_sockets >= 1
