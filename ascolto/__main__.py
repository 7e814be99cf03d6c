import sys

from ascolto.cli import main

sys.exit(main())
