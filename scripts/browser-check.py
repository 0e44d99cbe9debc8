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
    for role, email, password in re.findall(r"^  (\S.*?)\s{2,}(\S+@\S+)\s+(\S+)\s*$", text, re.M):
        credentials.setdefault(role.strip(), (email, password))
    return process, credentials, text


def sign_in(browser, base, email, password):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def invite(page, base, program_url, role, query, wanted=2):
    """Invites up to `wanted` of the people the filters show; returns their one-time links."""
    page.goto(program_url + "/invitations?" + query)
    boxes = page.locator("input[name='people[]']")
    if boxes.count() == 0:
        return []
    for index in range(min(wanted, boxes.count())):
        boxes.nth(index).check()
    page.get_by_label("Invite as").select_option(role)
    page.get_by_role("button", name="Invite selected").click()
    page.wait_for_load_state()
    return [field.get_attribute("value") for field in page.locator("input.copy").all()]


def program_walk(browser, base, out, credentials):
    """A program manager runs a whole cohort; participants accept, enroll, train and see their match."""
    print("program walk")
    context, page = sign_in(browser, base, *credentials["program manager"])
    page.goto(base + "/programs/new")
    page.get_by_label("Name", exact=True).fill("Browser Cohort")
    page.get_by_label("Starts on").fill("2027-02-01")
    page.get_by_label("Ends on").fill("2027-05-31")
    page.screenshot(path=f"{out}/program-new.png", full_page=True)
    page.get_by_role("button", name="Save program").click()
    page.wait_for_load_state()
    program_url = page.url.split("?")[0]
    check(page.get_by_role("heading", name=re.compile("Browser Cohort")).is_visible(), "creating a program opens its page")
    check(page.get_by_text("Draft").first.is_visible(), "a new program is a draft")
    page.get_by_label("Title", exact=True).fill("How we work together")
    page.get_by_label("Content (Markdown)").fill("## Welcome\n\nRead the **guide** and <script>alert(1)</script> stays text.")
    page.get_by_role("button", name="Add module").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Move to enrolling").click()
    page.wait_for_load_state()
    check(page.get_by_text("The program is now enrolling").is_visible(), "the program moves to enrolling")

    links = {}
    for level in ("2", "3", "1", "4"):
        found = invite(page, base, program_url, "mentor", f"department=Engineering&generation=Millennial&level={level}")
        if found:
            links["mentor"] = found
            break
    links["mentee"] = invite(page, base, program_url, "mentee", "department=People+%26+Culture&level=11")
    if len(links["mentee"]) < 2:
        links["mentee"] += invite(page, base, program_url, "mentee", "department=People+%26+Culture&level=12", wanted=2 - len(links["mentee"]))
    page.screenshot(path=f"{out}/program-invitations.png", full_page=True)
    check(len(links.get("mentor", [])) == 2 and len(links.get("mentee", [])) == 2, f"four invitation links are shown once ({ {k: len(v) for k, v in links.items()} })")

    for role, urls in links.items():
        for index, url in enumerate(urls):
            invitee = browser.new_context(viewport={"width": 390, "height": 860})
            p = invitee.new_page()
            check(url.startswith(base + "/invitations/"), f"the link points at this server ({url[:40]}…)")
            p.goto(url)
            check(p.get_by_text(f"invited as a {role}").is_visible(), f"the {role} invitation says the role")
            p.get_by_label("Choose a password").fill("a long browser passphrase")
            p.get_by_label("Repeat the password").fill("a long browser passphrase")
            p.get_by_role("button", name="Create my account and join").click()
            p.wait_for_load_state()
            check("/enroll" in p.url, f"accepting leads the {role} to the enrollment form")
            teach, learn = ("AI tools", "Leadership") if role == "mentor" else ("Leadership", "AI tools")
            p.fill("#offer-0", teach)
            p.fill("#offer-level-0", "5")
            p.fill("#goal-0", learn)
            p.fill("#goal-current-0", "1")
            p.fill("#goal-target-0", "4")
            if index == 0:
                p.screenshot(path=f"{out}/enroll-{role}.png", full_page=True)
            p.get_by_role("button", name="Save enrollment").click()
            p.wait_for_load_state()
            check(p.get_by_text("Enrollment saved").is_visible(), f"the {role} enrolls")
            p.get_by_role("link", name="How we work together").click()
            p.wait_for_load_state()
            check("<script>" not in p.locator("article").inner_html(), "training Markdown shows raw HTML as text")
            p.get_by_role("button", name="Mark as completed").click()
            p.wait_for_load_state()
            p.get_by_role("button", name="I accept the code of conduct").click()
            p.wait_for_load_state()
            check(p.get_by_text("You're all set").is_visible(), f"the {role} has nothing left to do")
            invitee.close()

    page.goto(program_url)
    page.get_by_role("button", name="Move to matching").click()
    page.wait_for_load_state()
    page.goto(program_url + "/matching")
    page.get_by_role("button", name="Run matching").click()
    page.wait_for_load_state()
    rows = page.locator("table.table tbody tr")
    check(rows.count() == 2, f"matching proposes two pairs (saw {rows.count()})")
    check(page.get_by_text("duality certificate holds").is_visible(), "the run reports its optimality proof")
    check(page.locator("td.small ul li").count() >= 2, "each proposal lists its reasons")
    page.screenshot(path=f"{out}/matching-review.png", full_page=True)
    page.get_by_role("button", name=re.compile(r"Approve 2 pairs")).click()
    page.wait_for_load_state()
    check(page.get_by_text("2 pairs approved and published").is_visible(), "approving publishes the pairs")
    check(page.locator("td", has_text="Live").count() == 2, "both pairs are live: everyone finished training and the agreement")
    page.screenshot(path=f"{out}/matching-approved.png", full_page=True)
    context.close()

    # A participant of the new cohort sees their match and why.
    participant = browser.new_context(viewport={"width": 1280, "height": 900})
    p = participant.new_page()
    p.goto(links["mentor"][0])
    check(p.get_by_text("not valid").is_visible() or p.url.endswith("/login"), "an invitation link works only once")
    participant.close()


def pair_walk(browser, base, out, credentials):
    """The live mentee adds a goal, logs a meeting, downloads its .ics and writes a private note
    that the partner's own session cannot see."""
    mentee = next(k for k in credentials if k.startswith("pilot mentee"))
    mentor = next(k for k in credentials if k.startswith("pilot mentor"))
    context, page = sign_in(browser, base, *credentials[mentee])
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.locator("a[href^='/pairs/']").first.click()
    page.wait_for_load_state()
    pair_url = page.url
    check("/pairs/" in pair_url, "the mentee opens their pair from the home page")
    check(page.get_by_role("heading", name="Goals", exact=True).is_visible() and page.get_by_role("heading", name="Meetings", exact=True).is_visible(),
          "the pair page has goals and meetings")
    page.get_by_text("Add a goal", exact=True).click()
    page.get_by_label("Goal", exact=True).fill("Post on LinkedIn every week")
    page.get_by_label("Why it matters").fill("Be visible to the people we hire")
    page.get_by_label("Milestones (one per line)").fill("Draft a first post\nPublish it")
    page.get_by_role("button", name="Add goal").click()
    page.wait_for_load_state()
    check(page.get_by_text("Goal added.").is_visible(), "adding a goal confirms it")
    check(page.get_by_role("heading", name=re.compile("Post on LinkedIn every week")).is_visible(), "the new goal is on the page")

    page.get_by_text("Edit the log").first.click()
    page.get_by_label("Short shared summary").first.fill("Logged from the browser: we practised prompts.")
    page.get_by_role("button", name="Save the log").first.click()
    page.wait_for_load_state()
    check(page.get_by_text("Meeting logged.").is_visible(), "logging a meeting confirms it")
    check(page.get_by_text("Logged from the browser: we practised prompts.").first.is_visible(), "the meeting's summary is shown")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").first.click()
    path = download.value.path()
    data = open(path, "rb").read()
    check(data.startswith(b"BEGIN:VCALENDAR\r\n") and b"BEGIN:VEVENT" in data and b"DTSTAMP:" in data, "the meeting downloads as an .ics file")

    secret = "browser-private-note-" + str(int(time.time()))
    page.get_by_label("New note").fill(secret)
    page.locator("#note-form input[name=visibility][value=private]").check()
    page.get_by_role("button", name="Save note").click()
    page.wait_for_load_state()
    check(page.get_by_text("Private note saved; only you can read it.").is_visible(), "saving a private note confirms who can read it")
    check(page.get_by_text(secret).is_visible(), "the author sees their private note")
    page.get_by_text("Raise an idea", exact=True).click()
    page.get_by_label("Idea", exact=True).fill("Try a shared AI prompt library")
    page.get_by_label("What would it change?").fill("Everyone reuses the prompts that worked.")
    page.get_by_role("button", name="Send to the program team").click()
    page.wait_for_load_state()
    check(page.get_by_text("Idea sent to the program team.").is_visible(), "raising an idea confirms it")
    page.get_by_text("Write your story", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Prompting together")
    page.get_by_label("What changed for you both?").fill("We practised on real memos.")
    page.get_by_role("button", name="Save the story").click()
    page.wait_for_load_state()
    check(page.get_by_text("not published").first.is_visible(), "a story waits for the partner's consent")
    page.screenshot(path=f"{out}/pair-mentee.png", full_page=True)
    check(not errors, f"no console errors on the pair page (CSP included): {errors[:2]}")
    context.close()

    # The program manager reads the pilot's survey results: bars drawn as SVG, with a table.
    context, page = sign_in(browser, base, *credentials["program manager"])
    page.goto(base + "/programs")
    page.get_by_role("link", name="Digital Leadership Pilot").first.click()
    page.wait_for_load_state()
    check(page.get_by_role("heading", name="Pairs at work").is_visible(), "the manager sees the pairs at work with their health")
    page.screenshot(path=f"{out}/program-manager-pairs.png", full_page=True)
    page.get_by_role("link", name="Midpoint survey").click()
    page.wait_for_load_state()
    check(page.locator("svg.bars").count() >= 3, "the midpoint results are drawn as SVG bar charts")
    check(page.get_by_text("11 of 12 answered").is_visible(), "the response rate is shown")
    check(page.get_by_text("Great format!").first.is_visible(), "with eleven answers the anonymous comments are listed")
    page.screenshot(path=f"{out}/survey-results.png", full_page=True)
    page.go_back()
    page.get_by_role("link", name="Outcomes report").click()
    page.wait_for_load_state()
    check(page.get_by_role("heading", name="Participation").is_visible() and page.locator("svg.chart").count() >= 2,
          "the outcomes report draws its charts as SVG")
    check(page.get_by_role("heading", name="Meeting adherence").is_visible(), "the report shows meeting adherence")
    check(page.get_by_text("comparable colleagues still employed").is_visible(), "the report compares junior retention with comparable colleagues")
    page.screenshot(path=f"{out}/outcomes.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=f"{out}/outcomes-print.png", full_page=True)
    check(not page.get_by_role("link", name="Download CSV").is_visible(), "the printed report hides the buttons")
    context.close()

    # Last year's completed pilot: the whole report with real shapes, a breakdown, ideas, stories, a certificate.
    context, page = sign_in(browser, base, *credentials["program manager"])
    page.goto(base + "/programs")
    page.get_by_role("link", name=re.compile("Autumn Pilot")).first.click()
    page.wait_for_load_state()
    program_url = page.url
    page.goto(program_url + "/outcomes")
    check(page.get_by_text(re.compile(r"AI tools.*change .* n 18")).first.is_visible() or "n 18" in page.content(),
          "the completed pilot's report shows each skill's change with its interval")
    check(page.get_by_role("heading", name="Growth as the partner sees it (1-5)").is_visible(), "the report shows the partner's view of growth")
    check(page.get_by_role("heading", name="Innovation ideas from the pairs").is_visible() and page.get_by_text("A shared prompt library").first.is_visible(),
          "the report lists the ideas the pairs raised and their status")
    check(page.get_by_role("heading", name="Certificates").is_visible(), "the report links each participant's certificate")
    page.screenshot(path=f"{out}/outcomes-completed.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=f"{out}/report-print.png", full_page=True)
    page.emulate_media(media="screen")
    page.locator(".card a[href*='/certificates/']").first.click()
    page.wait_for_load_state()
    check(page.get_by_text("Certificate of participation").is_visible(), "a certificate opens from the report")
    page.screenshot(path=f"{out}/certificate.png", full_page=True)
    page.goto(program_url + "/stories")
    check(page.locator("article.story").count() == 2, "exactly the two stories both people agreed to are published")
    page.screenshot(path=f"{out}/stories.png", full_page=True)
    page.goto(program_url)
    page.get_by_role("link", name="Final survey").first.click()
    page.wait_for_load_state()
    page.get_by_label("Side").select_option("mentor")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    check("side=mentor" in page.url and page.locator("svg.bars").count() >= 1, "the final survey breaks down by side")
    page.screenshot(path=f"{out}/survey-breakdown.png", full_page=True)
    context.close()

    context, page = sign_in(browser, base, *credentials[mentor])
    page.goto(pair_url)
    check(page.get_by_role("heading", name=re.compile("Post on LinkedIn every week")).is_visible(), "the partner sees the new goal")
    check(secret not in page.content(), "the partner's session cannot see the private note")
    page.screenshot(path=f"{out}/pair-mentor.png", full_page=True)
    context.close()


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
        check(any(k.startswith("pilot mentor") for k in credentials) and any(k.startswith("pilot mentee") for k in credentials),
              "the demo printed a participant on each side of a live pair")
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

            program_walk(browser, base, out, credentials)

            # A participant: their own home page, and 403 on program-manager pages.
            role = next(k for k in credentials if k.startswith("pilot mentee"))
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            page = context.new_page()
            page.goto(base + "/login")
            page.get_by_label("Email").fill(credentials[role][0])
            page.get_by_label("Password").fill(credentials[role][1])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            check(page.get_by_text("Digital Leadership Pilot").first.is_visible(), "a participant lands on their own home page with their program")
            check(page.get_by_text("Your mentor:").first.is_visible(), "the demo's live mentee sees their mentor")
            check(page.get_by_text("Why you were paired").first.is_visible(), "and why they were paired")
            check(page.get_by_role("link", name="People").count() == 0, "a participant sees no program-manager navigation")
            page.screenshot(path=f"{out}/participant-home.png", full_page=True)
            response = page.goto(base + "/admin/people")
            check(response.status == 403, "a participant gets 403 on the people list")
            check(page.get_by_text("This page is for program managers.").is_visible(), "the 403 page explains why")
            page.screenshot(path=f"{out}/participant-forbidden.png", full_page=True)
            context.close()
            pair_walk(browser, base, out, credentials)
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
