"""Where the tests' data and the sample show lie."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent  # tests/
ROOT = TESTS.parent  # the repository: the sample show
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
NODE_DIR = TESTS / "node"
