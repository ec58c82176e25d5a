"""Put on PYTHONPATH of a server a browser test starts: `import pynvml` there finds one fake RTX 4090.

The fake borrows nvidia-ml-py's constants and error classes, so the real module is loaded first under its
own name, from the rest of the path, then replaced by the fake."""

import importlib
import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
del sys.modules[__name__]
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]
importlib.import_module("pynvml")  # nvidia-ml-py, which tests.fakes.fake_nvml reads its constants from

from tests.fakes.fake_nvml import FakeGpu, FakeNvml  # noqa: E402

sys.modules["pynvml"] = FakeNvml(gpus=[FakeGpu()])
