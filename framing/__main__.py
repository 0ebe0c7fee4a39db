"""`python -m framing` runs the CLI."""

from framing.cli import app

if __name__ == "__main__":
    app(prog_name="framing")
