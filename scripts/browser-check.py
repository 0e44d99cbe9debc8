#!/usr/bin/env python3
"""Checks Upward's pages in a real headless browser (Chromium from Debian, driven by Playwright).

Starts `upward demo` on a fresh SQLite file in a temporary folder, reads the
printed credentials, then signs in as the program manager and as a participant,
takes a screenshot of each page and checks the text a user would look for.

    python3 scripts/browser-check.py [--binary .build/debug/upward] [--out artifacts/screenshots]
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright

failures = []


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message)
    if not condition:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(binary, port, workdir):
    log = open(os.path.join(workdir, "demo.log"), "w+")
    process = subprocess.Popen(
        [binary, "demo", "--port", str(port)], cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "LOG_LEVEL": "warning"}, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            log.seek(0)
            sys.exit("upward demo exited early:\n" + log.read())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        sys.exit("upward demo did not answer /health within 120 s")
    log.seek(0)
    text = log.read()
    credentials = {}
    for role, email, password in re.findall(r"^\s+(program manager|participant \(\w+\))\s+(\S+@\S+)\s+(\S+)\s*$", text, re.M):
        credentials.setdefault(role, (email, password))
    return process, credentials, text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/upward")
    parser.add_argument("--out", default="artifacts/screenshots")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Chromium is not installed (apt-get install -y chromium)")

    workdir = tempfile.mkdtemp(prefix="upward-browser-")
    port = free_port()
    process, credentials, log = start_demo(binary, port, workdir)
    base = f"http://127.0.0.1:{port}"
    print(f"upward demo on {base}, screenshots in {out}")
    try:
        check("program manager" in credentials, "the demo printed program-manager credentials")
        check(any(k.startswith("participant") for k in credentials), "the demo printed participant credentials")
        check(re.search(r"Upward demo: (\d+) people", log) and int(re.search(r"Upward demo: (\d+) people", log).group(1)) >= 300,
              "the demo has at least 300 people")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for width, label in ((1280, "desktop"), (390, "phone")):
                context = browser.new_context(viewport={"width": width, "height": 860})
                page = context.new_page()
                errors = []
                # The deliberate wrong password answers 401, which Chromium logs; anything else is a real error.
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 401" not in m.text else None)

                page.goto(base + "/admin/people")
                check(page.url.startswith(base + "/login"), f"[{label}] an anonymous visitor is sent to the sign-in page")
                page.screenshot(path=f"{out}/login-{label}.png", full_page=True)
                check(page.get_by_role("heading", name="Sign in").is_visible(), f"[{label}] the sign-in form is shown")
                check(page.get_by_label("Email").is_visible() and page.get_by_label("Password").is_visible(), f"[{label}] email and password fields have labels")

                page.get_by_label("Email").fill(credentials["program manager"][0])
                page.get_by_label("Password").fill("wrong password, surely")
                page.get_by_role("button", name="Sign in").click()
                check("Email or password is incorrect." in page.content(), f"[{label}] a wrong password shows an inline error")

                page.get_by_label("Password").fill(credentials["program manager"][1])
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state()
                check(page.url == base + "/admin/people", f"[{label}] after sign-in the browser returns to the page it asked for")
                page.screenshot(path=f"{out}/people-{label}.png", full_page=True)
                check(page.get_by_role("heading", name="People", exact=True).is_visible(), f"[{label}] the people list has its heading")
                rows = page.locator("table.table tbody tr").count()
                check(rows == 25, f"[{label}] the people list shows a page of 25 people (saw {rows})")
                check(page.get_by_text(re.compile(r"1–25 of \d+")).is_visible(), f"[{label}] the list says how many people there are")

                page.get_by_label("Department").select_option("Engineering")
                page.get_by_role("button", name="Filter").click()
                page.wait_for_load_state()
                departments = set(page.locator("table.table tbody tr td:nth-child(3)").all_inner_texts())
                check(departments == {"Engineering"}, f"[{label}] filtering by department shows only that department")

                page.locator("table.table tbody tr td a").first.click()
                page.wait_for_load_state()
                check(page.get_by_role("heading", name="Reporting line").is_visible(), f"[{label}] the person page shows the reporting line")
                page.screenshot(path=f"{out}/person-{label}.png", full_page=True)

                page.goto(base + "/")
                check(page.get_by_text("People in the directory").is_visible(), f"[{label}] the dashboard shows directory figures")
                page.screenshot(path=f"{out}/dashboard-{label}.png", full_page=True)

                page.goto(base + "/admin/people/import")
                page.screenshot(path=f"{out}/import-{label}.png", full_page=True)
                check(page.get_by_label("CSV file").is_visible(), f"[{label}] the import page has a labelled file field")

                page.get_by_role("button", name="Sign out").click()
                page.wait_for_load_state()
                check(page.url.startswith(base + "/login"), f"[{label}] signing out returns to the sign-in page")
                check(not errors, f"[{label}] no console errors ({errors[:2]})")
                context.close()

            # A participant: their own home page, and 403 on program-manager pages.
            role = next(k for k in credentials if k.startswith("participant"))
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            page = context.new_page()
            page.goto(base + "/login")
            page.get_by_label("Email").fill(credentials[role][0])
            page.get_by_label("Password").fill(credentials[role][1])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            check(page.get_by_text("Your programs").is_visible(), "a participant lands on their own home page")
            check(page.get_by_role("link", name="People").count() == 0, "a participant sees no program-manager navigation")
            page.screenshot(path=f"{out}/participant-home.png", full_page=True)
            response = page.goto(base + "/admin/people")
            check(response.status == 403, "a participant gets 403 on the people list")
            check(page.get_by_text("This page is for program managers.").is_visible(), "the 403 page explains why")
            page.screenshot(path=f"{out}/participant-forbidden.png", full_page=True)
            context.close()
            browser.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"browser-check: {len(failures)} failed" if failures else "browser-check: all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
