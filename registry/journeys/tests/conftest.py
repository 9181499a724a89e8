"""One demo system for every journey, started by scripts/serve-demo (the steps scripts/start runs).

It runs on its own free port with its own data folder (SQLite, the embedded default) and is stopped at
the end of the session. Unlike scripts/start (ACCEPT_ON_WORKDAY=0: accepted at once) it runs on the
authority's rule, acceptance on the 2nd working day after the employer's report: a journey that needs an
accepted application moves the system's clock to that day with Journey.accept_when_due. Each journey runs on a desktop and a phone viewport; every page it visits is
checked by axe-core (no "serious" or "critical" violation) and the key pages are saved as screenshots
under JOURNEYS_SCREENSHOTS (default var/journeys/<journey>/<viewport>/NN-name.png), the CI artefacts.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from registry.conftest import NODE_TOOLS, REPO_ROOT, missing

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_SCRIPT = NODE_TOOLS / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


def screenshots_root() -> Path:
    """Return the one folder the journeys' screenshots go under (JOURNEYS_SCREENSHOTS moves it)."""
    return Path(os.environ.get("JOURNEYS_SCREENSHOTS") or REPO_ROOT / "var" / "journeys")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DemoSystem:
    url: str
    var_dir: Path

    @property
    def database(self) -> Path:
        return self.var_dir / "registry.sqlite3"

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the started system's data (the operator's way in)."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=system_env(self.var_dir, self.url),
                                capture_output=True, text=True, timeout=120, check=True)
        return result.stdout


def system_env(var_dir: Path, url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SITE_BASE_URL", "PRIVATE_STORAGE_ROOT"}}
    env.update(PYTHON=sys.executable, REGISTRY_VAR_DIR=str(var_dir), SITE_BASE_URL=url,
               DATABASE_URL=f"sqlite:///{var_dir / 'registry.sqlite3'}",
               # The authority's rule, not the demo's shortcut: accepted on the 2nd working day after the
               # employer reports it; a journey moves the acceptance sweep there (Journey.accept_when_due).
               ACCEPT_ON_WORKDAY=str(ACCEPT_ON_WORKDAY),
               # The system's own clock, which a journey moves (Journey.accept_when_due, manage.py demo_clock):
               # the server, its worker and the journey's commands read the same file.
               REGISTRY_DEMO_CLOCK_FILE=str(var_dir / "demo-clock"))
    env.pop(CLOCK_ENV, None)
    return env


CLOCK_ENV = "REGISTRY_TEST_CLOCK_SHIFT_DAYS"
ACCEPT_ON_WORKDAY = 2


def read_one(system: DemoSystem, query: str, *args):
    """Return the first column of the first row a read-only query of the started system's database gives."""
    with sqlite3.connect(f"file:{system.database}?mode=ro", uri=True) as db:
        row = db.execute(query, args).fetchone()
    assert row, f"nothing in the demo system's database for {query} {args}"
    return row[0]


def chinese_date(day: date) -> str:
    """Return the day as the pages write it (2026年12月2日)."""
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture(scope="session", params=sorted(VIEWPORTS))
def viewport(request) -> str:
    """Return the viewport's name; each viewport has its own started system, so a persona's journey can run
    on both (pytest runs every journey of one viewport before starting the other's system)."""
    return request.param


@pytest.fixture(scope="session")
def demo_system(tmp_path_factory, viewport) -> DemoSystem:
    """Start scripts/serve-demo on a free port with a fresh data folder; stop its process group after."""
    var_dir = tmp_path_factory.mktemp(f"journeys-var-{viewport}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = system_env(var_dir, url)
    env.update(HOST="127.0.0.1", PORT=str(port))
    log = (var_dir / "serve-demo.log").open("wb")
    process = subprocess.Popen([str(REPO_ROOT / "scripts" / "serve-demo")], cwd=REPO_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(f"scripts/serve-demo ended with {process.returncode}: "
                            f"{(var_dir / 'serve-demo.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the demo system did not answer /healthz within 300 s")
            time.sleep(0.5)
        yield DemoSystem(url=url, var_dir=var_dir)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def browser(chromium):
    """A Chromium for one journey: Playwright's sync API owns the thread's event loop while it runs, so it must
    not outlive the test (the other browser tests start their own)."""
    if not AXE_SCRIPT.is_file():
        missing("axe-core is not installed (scripts/bootstrap runs npm ci in tools/)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield launched
        launched.close()


@dataclass
class Journey:
    """A browser page of one journey on one viewport that checks and records every page it visits."""

    page: object
    system: DemoSystem
    folder: Path
    checked: list[str] = field(default_factory=list)
    shots: int = 0

    def goto(self, path: str) -> None:
        self.page.goto(self.system.url + path)
        self.check()

    def check(self, name: str | None = None) -> None:
        """Run axe-core on the page as it is now (no serious or critical violation); screenshot it if named."""
        self.page.wait_for_load_state()
        self.page.add_script_tag(path=str(AXE_SCRIPT))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in result["violations"] if violation["impact"] in BLOCKING_IMPACTS
        ]
        self.checked.append(self.page.url)
        assert not blocking, f"axe-core on {self.page.url}:\n" + "\n".join(blocking)
        if name:
            self.shot(name)

    def shot(self, name: str) -> Path:
        self.shots += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def workday_after(self, day: date, workdays: int) -> date:
        """Return the N-th working day after the day, as the operator's `manage.py workdays add` says."""
        return date.fromisoformat(self.system.manage("workdays", "add", day.isoformat(), str(workdays)).split()[0])

    def latest_reference(self, name: str, application_type: str | None = None) -> str:
        """Return the reference of the person's newest application (of this type, when given)."""
        query = ("SELECT a.reference FROM applications_application a JOIN people_person p ON p.id = a.person_id "
                 "WHERE p.name = ?" + (" AND a.type = ?" if application_type else "") + " ORDER BY a.id DESC")
        return read_one(self.system, query, name, *([application_type] if application_type else []))

    def system_today(self) -> date:
        """Return the started system's today (its demo clock, which journeys move forward)."""
        return date.fromisoformat(self.system.manage("demo_clock").split()[0])

    def accept_when_due(self, reference: str) -> date:
        """Move the system's clock to the application's acceptance day, 09:00 (`manage.py demo_clock`), run the
        acceptance sweep (`manage.py accept_due`, what the scheduler runs) and return that day: the system
        accepts on the 2nd working day after the employer's report, and the journey cannot wait for it. The
        whole system moves, so everything after it is dated from that day on, in order."""
        accept_on = date.fromisoformat(read_one(self.system, "SELECT accept_on FROM applications_application "
                                                "WHERE reference = ?", reference))
        if self.system_today() < accept_on:
            self.system.manage("demo_clock", "--to", f"{accept_on.isoformat()}T09:00:00")
        self.system.manage("accept_due")  # the scheduler may have run it first: the status says it happened
        status = read_one(self.system, "SELECT status FROM applications_application WHERE reference = ?", reference)
        assert status == "under_review", status
        return accept_on

    def sign_out(self) -> None:
        self.page.context.clear_cookies()

    def ykb_sign_in(self, label: str) -> None:
        """Sign in through the simulated 渝快办 as the test identity with this label."""
        self.goto("/login/")
        self.page.click("#ykb-login")
        self.page.wait_for_url("**/ykb-sim/authorize**")
        self.check()
        self.page.get_by_label(label).check()
        self.page.click("button[name=allow]")
        self.page.wait_for_url(lambda url: "/ykb-sim/" not in url)
        self.check()

    def sign_in(self, username: str) -> None:
        from registry.demo import DEMO_PASSWORD

        self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.check()

    def employer_sign_in(self, label: str = "赵山城（法人：重庆山城建设工程有限公司，用身份锁认证）") -> None:
        """Sign in as the employer's legal person; authenticate with the identity lock if the account is not
        bound yet (a journey that ran before on the same system may have bound it)."""
        self.ykb_sign_in(label)
        if self.page.locator("#lock-auth").count():
            self.page.click("#lock-auth")
            self.check()
            self.page.click("button:has-text('使用身份锁签名')")
            self.page.click("#lock-return")
            self.page.wait_for_url(lambda url: "/ykb-sim/" not in url)
            self.check()

    def create_initial_application(self, credit_code: str, specialty: str = "10401001") -> str:
        """Create an initial registration on the type-first form for an employer; return the application's URL."""
        self.goto("/applications/new/?type=initial")
        self.page.fill("#id_employer_credit_code", credit_code)
        self.page.check(f"input[name=specialties][value='{specialty}']")
        self.page.get_by_role("button", name="创建申请").click()
        self.check()
        assert "申请已创建" in self.page.content()
        return self.page.url

    def old_qr_leads_to_the_new_certificate(self, old_landing: str) -> None:
        """Open a superseded certificate's QR link: 已失效, and its link to the successor's page says 有效."""
        self.page.goto(old_landing)
        self.check("old-landing")
        assert self.page.locator("#outcome").inner_text() == "核验结果：已失效（已被新证书替代）"
        self.page.get_by_role("link", name="查看最新证书的核验结果").click()
        self.check("new-landing")
        assert self.page.locator("#outcome").inner_text() == "核验结果：有效"
        assert self.page.url != old_landing

    def upload(self, kinds) -> None:
        """Upload each material kind on the application's page: a passport-sized PNG for the photo and the
        signature, a PDF scan otherwise, each named as what it is."""
        from registry.testing import PDF_BYTES, png_bytes

        for kind in kinds:
            picture = kind in {"photo", "signature"}
            data, mime, suffix = ((png_bytes((295, 413), (230, 230, 240)), "image/png", "png") if picture
                                  else (PDF_BYTES, "application/pdf", "pdf"))
            self.page.select_option("#id_kind", kind)
            self.page.set_input_files("#id_file", {"name": f"{kind}.{suffix}", "mimeType": mime, "buffer": data})
            self.page.click("#upload-material")
            self.page.wait_for_load_state()
            assert "材料已上传" in self.page.content()
        self.check("materials")

    def submit_with_face_check(self, application_url: str) -> None:
        """Submit: refused until the face check, which the page's link starts; then submitted for real."""
        self.page.click("#submit-application")
        self.check()
        assert "请先完成人脸识别" in self.page.content()
        self.page.click("a:has-text('人脸识别')")
        self.check("face-check")
        self.face_check()
        self.page.wait_for_url(application_url)
        self.page.click("#submit-application")
        self.check("submitted")
        assert "等待聘用企业确认" in self.page.content()

    def face_check(self) -> None:
        """Pass the simulated 渝快办 face check the page starts."""
        self.page.click("#start-face")
        self.page.wait_for_url("**/ykb-sim/face/**")
        self.check()
        self.page.click("button[name=pass]")
        self.page.wait_for_url(lambda url: "/ykb-sim/" not in url)
        self.check()


@pytest.fixture
def journey(request, browser, demo_system, viewport):
    name = request.node.originalname.removeprefix("test_")
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", accept_downloads=True,
                                  bypass_csp=True)  # axe-core goes in as an inline script; the site keeps its CSP
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield Journey(page=page, system=demo_system, folder=screenshots_root() / name / viewport)
    finally:
        context.close()


# Journeys moved to the end of their viewport's group, in this order (see pytest_collection_modifyitems).
RUN_LAST = ("test_change_of_employer", "test_cancellation")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run journey 3 (change of employer) and then journey 4 (李四's cancellation) last on each viewport's system.

    李四 is the demo's only holder inside the renewal window, so journeys 2 and 4 both use him: the
    cancellation holds whichever certificate is current, the renewal needs his registration still active.
    Journey 1 shows 赵山城's first authentication with the identity lock, so journey 3, where he confirms
    too, runs after it. trylast: after pytest has grouped the items by viewport (its session-scoped parameter).
    """
    def viewport_of(item):
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("viewport") if callspec else None

    for name in RUN_LAST:
        for item in [item for item in items if getattr(item, "originalname", "") == name]:
            items.remove(item)
            same = [index for index, other in enumerate(items)
                    if viewport_of(other) == viewport_of(item) and "journeys" in str(other.path)]
            items.insert(same[-1] + 1 if same else len(items), item)
