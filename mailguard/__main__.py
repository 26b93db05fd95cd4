from mailguard.cli import main

raise SystemExit(main())
