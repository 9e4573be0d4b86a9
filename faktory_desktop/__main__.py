from faktory_desktop.cli import main

raise SystemExit(main())
