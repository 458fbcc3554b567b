from publisher.cli.commands import main

raise SystemExit(main())
