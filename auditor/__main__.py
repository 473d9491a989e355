"""Entry point for `python -m auditor`."""

from auditor.cli.main import main

if __name__ == "__main__":
    main()
