"""What the tests share: the server under test and a tenant of their own.

The server is named by STATEKEEPER_URL and a root key of it by STATEKEEPER_KEY. Each test
class makes a tenant of its own (``py-<random>``) with an admin key through ``/v1/keys``, so
runs against one server never see each other's rows. Without the variables the tests that
need a server skip, unless STATEKEEPER_TEST_REQUIRE_SERVICES=1 or CI is set: then they fail.
"""

import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import statekeeper  # noqa: E402

URL = os.environ.get("STATEKEEPER_URL", "").strip()
ROOT_KEY = os.environ.get("STATEKEEPER_KEY", "").strip()


def require_server() -> None:
    if URL and ROOT_KEY:
        return
    message = "STATEKEEPER_URL and STATEKEEPER_KEY (a root key) name no server"
    if os.environ.get("STATEKEEPER_TEST_REQUIRE_SERVICES") == "1" or os.environ.get("CI"):
        raise RuntimeError(message + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails")
    raise unittest.SkipTest(message + "; skipping the tests against a server")


def root() -> statekeeper.Client:
    require_server()
    return statekeeper.Client(URL, ROOT_KEY)


def new_tenant(prefix: str = "py") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_for(condition, what: str, timeout: float = 20.0, every: float = 0.05):
    """Polls ``condition()`` until it returns something truthy, which it returns; fails after
    ``timeout`` seconds (a bound on a broken run, not a measurement)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


class ServerTest(unittest.TestCase):
    """A test class with a tenant of its own: ``cls.tenant``, an admin client ``cls.admin``
    (subject ``user:admin``) and the root client ``cls.root``."""

    tenant: str
    admin: statekeeper.Client
    root: statekeeper.Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.root = root()
        cls.tenant = new_tenant()
        made = cls.root.keys.create(cls.tenant, "user:admin", "admin")
        cls.admin = statekeeper.Client(URL, made["key"])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.admin.close()
        cls.root.close()

    def key(self, subject: str, role: str = "agent") -> statekeeper.Client:
        """A client with a new key of this tenant."""
        made = self.admin.keys.create(self.tenant, subject, role)
        c = statekeeper.Client(URL, made["key"])
        self.addCleanup(c.close)
        return c
