from posecoach.commands.main import main

raise SystemExit(main())
