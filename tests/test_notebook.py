"""xaibook.notebook: glue values as plain Python numbers."""

from __future__ import annotations

import numpy as np

from xaibook.notebook import plain


def test_plain_turns_numpy_scalars_into_python_numbers():
    assert type(plain(np.float64(0.5))) is float and type(plain(np.int64(3))) is int
    assert plain("text") == "text"
