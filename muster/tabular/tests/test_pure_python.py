"""The tabular package stays pure Python, so that the CLI can use it without Django."""

import subprocess
import sys


def test_it_imports_and_reads_a_file_without_django() -> None:
    code = (
        "import sys; from muster.tabular import read_table; "
        "read_table('a.csv', b'a\\n1\\n'); "
        "from muster.tabular.columnar import read_columns; "
        "read_columns('a.csv', b'a\\n1\\n'); print('django' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"
