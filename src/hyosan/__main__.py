"""`python -m hyosan`: the hyosan command, as the console script runs it."""

from hyosan._entry import main

if __name__ == "__main__":
    main()
