from posecoach.cli import main

raise SystemExit(main())
