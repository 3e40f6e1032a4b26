#!/usr/bin/env python3
"""Browser tests: Debian's chromium and chromium-driver, driven by selenium, against a real
`relais serve` (the debug build) on a loopback port. A tabacologue's and a coordinator's day,
from logging in to the 3-month follow-up answered through its link, plus what a peer helper
must never see. Screenshots of the main pages go to Tests/output/screenshots/.

Run by `make test` after the Swift tests: python3 Tests/Browser/browser_test.py
"""
import json
import os
import re
import shutil
import datetime
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELAIS = os.environ.get("RELAIS_BINARY", os.path.join(ROOT, ".build", "debug", "relais"))
FAKETIME_LIBRARY = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
SHOTS = os.path.join(ROOT, "Tests", "output", "screenshots")


class Daemon:
    """`relais serve` on a free loopback port, with its own data folder and configuration."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="relais-browser-")
        self.data = os.path.join(self.folder, "var")
        self.config = os.path.join(self.folder, "relais.yaml")
        with open(self.config, "w") as f:
            f.write("mail:\n  sweep_interval_seconds: 3600\n"
                    "structure:\n  address: |\n    Centre de soins en addictologie\n    12 rue de la Paix\n    59000 Lille\n"
                    "  phone: 03 20 00 00 00\n")
        self.log = open(os.path.join(self.folder, "serve.log"), "w+")
        # The story lives its programme's evenings: Debian's libfaketime, preloaded into the daemon
        # and the CLI, reads the clock's offset from a file the test rewrites (attendance is
        # recorded only from a session's start). The monotonic clock stays real for libmicrohttpd.
        self.clock_file = os.path.join(self.folder, "faketime")
        self.environment = dict(os.environ, LD_PRELOAD=FAKETIME_LIBRARY, FAKETIME_TIMESTAMP_FILE=self.clock_file,
                                FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1")
        self.set_clock("2027-10-01T09:00:00+02:00")
        # Spawned directly with libfaketime preloaded, relais exits 0 before its first line (measured
        # here, as from Foundation's Process); a shell that execs it does not.
        self.process = subprocess.Popen(["/bin/sh", "-c", 'exec "$0" "$@"', RELAIS, "serve", "--config", self.config, "--data-dir", self.data,
                                         "--port", "0"], cwd=ROOT, stderr=self.log, stdout=subprocess.DEVNULL, env=self.environment)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline and self.port is None:
            time.sleep(0.1)
            self.log.seek(0)
            text = self.log.read()
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
            if found:
                self.port = int(found.group(1))
                lines = text.splitlines()
                index = next(i for i, line in enumerate(lines) if "one-time password" in line)
                self.admin_password = lines[index + 1].strip()
        if self.port is None:
            raise RuntimeError("relais serve did not start:\n" + text)
        self.base = "http://127.0.0.1:%d" % self.port

    def set_clock(self, instant):
        """Moves the daemon's (and the CLI's) clock to `instant` (ISO 8601 with its offset); it runs on from there."""
        offset = datetime.datetime.fromisoformat(instant).timestamp() - time.time()
        with open(self.clock_file, "w") as f:
            f.write("%+d\n" % round(offset))

    def cli(self, *arguments, stdin=""):
        result = subprocess.run(["/bin/sh", "-c", 'exec "$0" "$@"', RELAIS, *arguments, "--config", self.config, "--data-dir", self.data], cwd=ROOT,
                                input=stdin, capture_output=True, text=True, timeout=60, env=self.environment)
        if result.returncode != 0:
            raise RuntimeError("relais %s failed: %s" % (" ".join(arguments), result.stderr))
        return result.stdout

    def api(self, method, path, token, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def make_browser():
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr-FR"):
        options.add_argument(argument)
    # French first, as a participant's phone in France would ask.
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


class BrowserTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        cls.daemon = Daemon()
        cls.browser = make_browser()
        cls.browser.implicitly_wait(2)
        daemon = cls.daemon
        for name, role in (("coord", "coordinator"), ("claire", "tabacologue"), ("sam", "peer_helper")):
            daemon.cli("user", "add", name, "--role", role, "--display-name", name.capitalize(), stdin="mot de passe %s\n" % name)
        token = daemon.cli("token", "issue", "coord").strip()
        site = daemon.api("POST", "/api/v1/sites", token, {"name": "CSAPA Nord", "address": "1 rue de la Paix, Lille"})
        room = daemon.api("POST", "/api/v1/sites/%s/rooms" % site["id"], token, {"name": "Salle 2", "capacity": 20})
        cls.room_id = room["id"]
        cls.claire_id = daemon.api("GET", "/api/v1/me", daemon.cli("token", "issue", "claire").strip())["id"]
        cls.token = token
        cls.site_id = site["id"]

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.daemon.stop()

    # Helpers

    def shot(self, name):
        # The whole page, not just the window: grow the window to the page's height first.
        height = self.browser.execute_script("return document.documentElement.scrollHeight")
        self.browser.set_window_size(1280, min(max(height, 600) + 40, 8000))
        self.browser.save_screenshot(os.path.join(SHOTS, name + ".png"))
        self.browser.set_window_size(1280, 1000)
        time.sleep(0.1)

    def go(self, path):
        self.browser.get(self.daemon.base + path)

    def log_in(self, name, password):
        self.browser.delete_all_cookies()
        self.go("/login")
        self.browser.find_element(By.ID, "name").send_keys(name)
        self.browser.find_element(By.ID, "password").send_keys(password)
        self.submit("main form button[type=submit]")

    def fill(self, field_id, value):
        element = self.browser.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)

    def choose(self, select_id, text):
        from selenium.webdriver.support.ui import Select
        Select(self.browser.find_element(By.ID, select_id)).select_by_visible_text(text)

    def click(self, selector):
        self.browser.find_element(By.CSS_SELECTOR, selector).click()

    def submit(self, selector, by=By.CSS_SELECTOR):
        """Clicks a submit button or a link and waits for the next page (Post/Redirect/Get included).

        The current document is marked before the click; the next page is the one without the
        mark, once loaded. (Selenium's staleness check can fail with an inspector error while the
        old document goes away, so the check itself treats any driver error as "not yet".)"""
        from selenium.webdriver.support.ui import WebDriverWait
        from selenium.common.exceptions import WebDriverException
        for attempt in range(3):
            # A resize for a screenshot can leave the page settling: find and click again.
            try:
                self.browser.execute_script("document.documentElement.setAttribute('data-left', '1')")
                self.browser.find_element(by, selector).click()
                break
            except WebDriverException:
                if attempt == 2:
                    raise
                time.sleep(0.3)

        def arrived(browser):
            try:
                return browser.execute_script(
                    "return !document.documentElement.hasAttribute('data-left') && document.readyState === 'complete'")
            except WebDriverException:
                return False

        WebDriverWait(self.browser, 15).until(arrived)

    def text(self):
        from selenium.common.exceptions import WebDriverException
        for attempt in range(3):
            try:
                return self.browser.find_element(By.TAG_NAME, "body").text
            except WebDriverException:
                if attempt == 2:
                    raise
                time.sleep(0.3)

    # The story, in order (unittest runs test methods alphabetically).

    def test_1_admin_first_login_changes_the_one_time_password(self):
        self.log_in("admin", self.daemon.admin_password)
        self.assertIn("/account/password", self.browser.current_url)
        self.shot("password-change")
        self.fill("current", self.daemon.admin_password)
        self.fill("new", "un mot de passe solide")
        self.fill("confirm", "un mot de passe solide")
        self.submit("main form button[type=submit]")
        # A new password ends every session: log in again with it.
        self.log_in("admin", "un mot de passe solide")
        self.assertIn("Bonjour", self.text())
        self.shot("dashboard-admin")

    def test_2_coordinator_creates_a_programme_from_the_planner_proposal(self):
        self.log_in("coord", "mot de passe coord")
        self.shot("dashboard-coordinator")
        self.go("/programmes/new")
        self.fill("title", "Mois sans tabac 2027")
        self.choose("siteId", "CSAPA Nord")
        self.choose("roomId", "CSAPA Nord — Salle 2")
        self.browser.execute_script("document.getElementById('start').value = '2027-11-04T18:00'")
        self.choose("leadId", "Claire")
        self.choose("peerHelperId", "Sam")
        self.click("#moisSansTabac")
        self.submit("button[value=preview]")
        body = self.text()
        self.assertIn("Proposition du planificateur", body)
        self.assertIn("Jour férié : Armistice 1918", body)
        self.shot("programme-new-proposal")
        self.submit("button[value=create]")
        self.assertIn("Programme enregistré.", self.text())
        self.__class__.programme_url = self.browser.current_url.split("?")[0]
        self.shot("programme")
        self.go("/programmes?year=2027")
        self.assertIn("Mois sans tabac 2027", self.text())
        self.shot("programmes")

    def test_3_coordinator_enrols_a_new_participant(self):
        self.log_in("coord", "mot de passe coord")
        self.browser.get(self.programme_url)
        self.submit("a[href^='/participants/new?programme=']")
        self.shot("participant-new")
        self.fill("firstName", "Ana")
        self.fill("lastName", "Dupont")
        self.fill("birthYear", "1980")
        self.fill("email", "ana@example.org")
        for consent in ("consentDataProcessing", "consentEmail", "consentFollowUp"):
            checkbox = self.browser.find_element(By.ID, consent)
            if not checkbox.is_selected():
                checkbox.click()
        self.submit("main form button[type=submit]")
        body = self.text()
        self.assertIn("Ana Dupont", body)
        self.assertIn("1 / 16", body)
        self.assertIn("Mois sans tabac", self.browser.find_element(By.TAG_NAME, "h1").text)
        self.shot("programme-roster")
        # The roster leads to the enrolment page: the baseline frozen from the record, corrected by product.
        self.submit("Situation à l'entrée", by=By.LINK_TEXT)
        body = self.text()
        self.assertIn("repris du dossier à l'inscription", body)
        self.assertIn("Non renseignée", body)
        self.shot("enrolment")
        self.fill("products-cigarette", "12")
        self.fill("products-cigarillo", "2")
        self.click("#goal-reduce")
        self.submit("form[action$='/baseline'] button[type=submit]")
        body = self.text()
        self.assertIn("Situation à l'entrée corrigée.", body)
        self.assertIn("16 cigarettes (ou équivalents) par jour (saisie pour cette inscription)", body)
        self.shot("enrolment-corrected")

    def test_4_tabacologue_records_attendance_and_a_fagerstrom_test(self):
        # The evening of the third session, once it has ended: every session can be recorded.
        self.daemon.set_clock("2027-11-18T20:30:00+01:00")
        self.log_in("claire", "mot de passe claire")
        self.browser.get(self.programme_url)
        self.submit("Séance 1", by=By.PARTIAL_LINK_TEXT)
        self.assertIn("Guide d'animation", self.text())
        self.browser.find_element(By.CSS_SELECTOR, "input[type=radio][value=present]").click()
        self.fill("note", "Groupe motivé")
        self.submit("form[action$='/attendance'] button[type=submit]")
        self.assertIn("Présences enregistrées.", self.text())
        self.assertTrue(self.browser.find_element(By.CSS_SELECTOR, "input[type=radio][value=present]").is_selected())
        self.shot("session")
        self.__class__.session_url = self.browser.current_url.split("?")[0]
        # The participant's record, then the Fagerström entry form generated from the instrument file.
        self.submit("Ana Dupont", by=By.LINK_TEXT)
        self.__class__.participant_url = self.browser.current_url.split("?")[0]
        self.go(self.participant_url.replace(self.daemon.base, "") + "/assessments/new?instrument=fagerstrom")
        self.shot("assessment-fagerstrom-form")
        for item, code in (("q1", "within5"), ("q2", "yes"), ("q3", "first_morning"), ("q4", "ge31"), ("q5", "yes"), ("q6", "yes")):
            self.click("input[name='fagerstrom.%s'][value='%s']" % (item, code))
        self.submit("main form button[type=submit]")
        body = self.text()
        self.assertRegex(body, r"Fagerstr[öo]m[^\n]*: 10 — (dépendance )?forte")
        self.shot("participant-record")

    def test_4b_the_tabacologue_corrects_the_test_with_a_reason_kept_in_the_history(self):
        self.log_in("claire", "mot de passe claire")
        self.browser.get(self.participant_url)
        self.submit("a[href$='/correct']")
        self.assertIn("Corriger un test", self.text())
        self.assertTrue(self.browser.find_element(By.CSS_SELECTOR, "input[name='fagerstrom.q4'][value='ge31']").is_selected(),
                        "the form is prefilled with the recorded answers")
        # Without a reason: refused next to the field, the answers typed kept.
        self.click("input[name='fagerstrom.q4'][value='11to20']")
        self.submit("main form button[type=submit]")
        self.assertIn("Indiquez le motif de la correction.", self.browser.find_element(By.ID, "reason-error").text)
        self.assertTrue(self.browser.find_element(By.CSS_SELECTOR, "input[name='fagerstrom.q4'][value='11to20']").is_selected())
        self.shot("assessment-correction-refused")
        self.fill("reason", "Nombre de cigarettes mal reporté du questionnaire papier")
        self.submit("main form button[type=submit]")
        body = self.text()
        self.assertIn("Correction enregistrée", body)
        self.assertRegex(body, r"Fagerstr[öo]m — 8 — Dépendance forte")
        self.assertIn("motif : Nombre de cigarettes mal reporté du questionnaire papier", body)
        self.assertRegex(body, r"avant : \d\d/\d\d/\d{4} — Fagerstr[öo]m — 10 — Dépendance forte")
        self.browser.execute_script("window.scrollTo(0, 0)")
        self.shot("assessment-corrected")

    def test_5_the_follow_up_is_answered_through_its_link(self):
        # Bernard has no email: his questionnaires will be phone tasks with a letter (test 7b).
        programme_id = self.programme_url.rstrip("/").split("/")[-1]
        bernard = self.daemon.api("POST", "/api/v1/participants", self.token, {
            "firstName": "Bernard", "lastName": "Martin", "birthYear": 1958, "phone": "06 11 22 33 44",
            "postalAddress": "Résidence Les Tilleuls, bât. B\n12 rue des Lilas\n59000 Lille", "consentFollowUp": True})
        self.daemon.api("POST", "/api/v1/programmes/%s/enrolments" % programme_id, self.token, {"participantId": bernard["id"]})
        self.__class__.bernard_id = bernard["id"]
        # Session 3's attendance plans the follow-up; the sender writes it to the maildir on its due date.
        self.log_in("claire", "mot de passe claire")
        self.browser.get(self.programme_url)
        self.submit("Séance 3", by=By.PARTIAL_LINK_TEXT)
        for radio in self.browser.find_elements(By.CSS_SELECTOR, "input[type=radio][value=present]"):
            radio.click()
        self.submit("form[action$='/attendance'] button[type=submit]")
        self.assertIn("Présences enregistrées.", self.text())
        self.daemon.cli("send-due", "--now", "2028-02-18T09:00:00Z")
        maildir = os.path.join(self.daemon.data, "maildir", "new")
        path = None
        for name in sorted(os.listdir(maildir)):
            raw = open(os.path.join(maildir, name), "rb").read()
            import email, email.policy
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if "trois mois après le programme" in str(message["subject"]):
                text = message.get_body(("plain",)).get_content()
                path = re.search(r"https?://[^/\s]+(/q/[A-Za-z0-9_-]+)", text).group(1)
        self.assertIsNotNone(path, "the follow-up invitation is in the maildir")
        self.browser.delete_all_cookies()
        self.go(path)
        self.assertIn("Bonjour Ana", self.text())
        self.shot("questionnaire-follow-up")
        self.click("input[name='followup_3m.status'][value='stopped']")
        self.submit("main form button[type=submit]")
        self.assertIn("error-summary", self.browser.page_source)
        self.assertTrue(self.browser.find_element(By.CSS_SELECTOR, "input[name='followup_3m.status'][value='stopped']").is_selected())
        self.shot("questionnaire-errors")
        self.click("input[name='followup_3m.aids_used'][value='patches']")
        self.click("input[name='followup_3m.orientation_followed'][value='yes']")
        self.click("input[name='followup_3m.would_recommend'][value='yes']")
        self.submit("main form button[type=submit]")
        self.assertIn("Merci", self.text())
        self.shot("questionnaire-thanks")
        self.go(path)
        self.assertIn("déjà", self.text())
        self.assertNotIn("Ana", self.text())

    def test_6_a_peer_helper_cannot_open_a_consultation_note(self):
        self.log_in("coord", "mot de passe coord")
        self.browser.get(self.programme_url)
        self.fill("c-start", "")
        self.browser.execute_script("document.getElementById('c-start').value = '2027-11-25T10:00'")
        self.submit("form[action$='/consultations'] button[type=submit]")
        self.assertIn("Consultation programmée.", self.text())
        link = self.browser.find_element(By.CSS_SELECTOR, "a[href^='/consultations/']").get_attribute("href")
        self.log_in("claire", "mot de passe claire")
        self.browser.get(link)
        self.fill("note", "Patchs 21 mg, rappel dans 15 jours")
        self.submit("main form button[type=submit]")
        self.assertIn("Consultation enregistrée.", self.text())
        self.shot("consultation")
        self.log_in("sam", "mot de passe sam")
        self.browser.get(link)
        self.assertIn("Accès refusé", self.text())
        self.assertNotIn("Patchs", self.browser.page_source)
        self.shot("consultation-denied-peer-helper")
        self.browser.get(self.session_url)
        self.assertIn("Ana D.", self.text())
        self.assertNotIn("Dupont", self.text())
        self.shot("session-peer-helper")
        self.__class__.consultation_url = link

    def phone(self, name):
        """The page as a 375-pixel-wide phone shows it, whole: no sideways scrolling; a screenshot."""
        metrics = {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True}
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            time.sleep(0.2)
            width = self.browser.execute_script("return document.documentElement.scrollWidth")
            self.assertLessEqual(width, 375, "the page scrolls sideways on a phone (%d px wide)" % width)
            height = self.browser.execute_script("return document.documentElement.scrollHeight")
            self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(height, 8000)})
            time.sleep(0.2)
            self.browser.save_screenshot(os.path.join(SHOTS, name + ".png"))
        finally:
            self.browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def test_6b_the_tabacologue_fills_the_consultation_record_on_a_phone(self):
        # The morning of the consultation, once it has begun: its record can be written.
        self.daemon.set_clock("2027-11-25T10:20:00+01:00")
        try:
            self.log_in("claire", "mot de passe claire")
            self.browser.get(self.consultation_url)
            self.submit("Ouvrir le dossier de consultation", by=By.LINK_TEXT)
            self.assertIn("Dossier de consultation", self.text())
            self.phone("consultation-record-phone-empty")
            # Ana says she no longer smokes (her follow-up said so too), yet her CO is 14 ppm.
            self.fill("products-cigarette", "0")
            self.fill("products-joint", "0")
            self.click("#eCigarette-yes")
            self.fill("eCigaretteNicotineMgPerMl", "6")
            self.fill("yearsSmoked", "22")
            self.fill("packYears", "16,5")
            self.fill("quitAttempts", "2")
            self.fill("longestQuit", "3")
            self.choose("longestQuitUnit", "mois")
            self.browser.execute_script("document.getElementById('quitDate').value = '2027-11-10'")
            self.fill("coPpm", "14")
            self.fill("weightKg", "64,5")
            self.click("#pregnancy-no")
            self.choose("craving", "4")
            self.click("#withdrawalSymptoms-irritability")
            self.click("#withdrawalSymptoms-insomnia")
            self.click("#goal-consolidate")
            self.fill("plan", "Vapoteuse 6 mg/mL jusqu'à fin décembre ; revoir le chauffage du logement (chaudière)")
            self.submit("form[action$='/record'] button[type=submit]")
            body = self.text()
            self.assertIn("Dossier de consultation enregistré.", body)
            self.assertIn("16,5 paquets-années (saisi)", body)
            self.assertIn("Mesure enregistrée : 14 ppm", body)
            prompt = self.browser.find_element(By.ID, "co-prompt").text
            self.assertIn("pensez à une intoxication domestique au monoxyde de carbone", prompt)
            self.assertIn("cannabis", prompt)
            self.assertEqual(self.browser.find_element(By.ID, "weightKg").get_attribute("value"), "64,5")
            self.browser.execute_script("window.scrollTo(0, 0)")
            self.phone("consultation-record-phone")
            self.shot("consultation-record")
            # The reading is beside the others on her record, with the same prompt; the guide of the
            # session that measures CO says the same.
            self.browser.get(self.participant_url)
            self.assertIn("CO élevé chez une personne qui dit ne pas fumer", self.text())
            self.browser.get(self.session_url)
            self.assertIn("intoxication domestique au monoxyde de carbone", self.text())
            # The coordinator sees that the record exists, not what it says; the peer helper not even that.
            self.log_in("coord", "mot de passe coord")
            self.browser.get(self.consultation_url)
            self.assertIn("Dossier de consultation rempli (version 1", self.text())
            self.assertNotIn("chaudière", self.browser.page_source)
            self.browser.get(self.consultation_url + "/record")
            self.assertIn("Accès refusé", self.text())
            self.log_in("sam", "mot de passe sam")
            self.browser.get(self.consultation_url + "/record")
            self.assertIn("Accès refusé", self.text())
            self.assertNotIn("chaudière", self.browser.page_source)
        finally:
            self.daemon.set_clock("2027-11-18T21:00:00+01:00")

    def test_7_tasks_and_printable_pages(self):
        self.log_in("coord", "mot de passe coord")
        self.go("/tasks")
        self.shot("tasks")
        self.browser.get(self.session_url + "/sheet")
        self.assertIn("Feuille d'émargement", self.text())
        self.shot("session-sign-in-sheet")

    def test_7b_a_letter_is_printed_and_its_code_typed_on_the_short_page(self):
        # Bernard's end-of-programme questionnaire became a phone task: every way to reach him.
        tasks = self.daemon.api("GET", "/api/v1/tasks?state=open&participant=%s" % self.bernard_id, self.token)["tasks"]
        task_id = next(t["id"] for t in tasks
                       if "end_status" in [s["instrument"] for s in self.daemon.api("GET", "/api/v1/tasks/" + t["id"], self.token)["script"]])
        self.log_in("coord", "mot de passe coord")
        self.go("/tasks/%s" % task_id)
        body = self.text()
        self.assertIn("Pour joindre la personne", body)
        self.assertIn("recueillir les questionnaires de fin de programme par téléphone", body)
        self.assertEqual(self.browser.find_element(By.CSS_SELECTOR, "#reach a[href^='tel:']").get_attribute("href"), "tel:0611223344")
        self.shot("task")
        # The letter: a letter to post, with a short code to type instead of the long link.
        self.go("/tasks/%s/letter" % task_id)
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, "Votre avis sur le programme « Mois sans tabac 2027 »")
        recipient = self.browser.find_element(By.CSS_SELECTOR, "address.letter-recipient").text.splitlines()
        self.assertEqual(recipient, ["Bernard Martin", "Résidence Les Tilleuls, bât. B", "12 rue des Lilas", "59000 Lille"])
        self.assertRegex(self.browser.find_element(By.CSS_SELECTOR, ".letter-date").text, r"^Le (1er|\d{1,2}) [a-zéû]+ \d{4}$")
        code = self.browser.find_element(By.ID, "letter-code").text
        self.assertRegex(code, r"^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$")
        self.assertIn("/q/", self.browser.find_element(By.ID, "letter-link").text)
        self.shot("task-letter")
        # Printed (A4, the browser's print engine): one or two pages.
        import base64
        pdf = base64.b64decode(self.browser.print_page())
        with open(os.path.join(SHOTS, "task-letter.pdf"), "wb") as f:
            f.write(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        self.assertTrue(1 <= pages <= 2, "the letter prints on %d pages" % pages)
        # What the paper looks like: the page as printed, at the width of an A4 sheet's text.
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        self.browser.set_window_size(760, 1000)
        height = self.browser.execute_script("return document.documentElement.scrollHeight")
        self.browser.set_window_size(760, height + 40)
        self.browser.save_screenshot(os.path.join(SHOTS, "task-letter-print.png"))
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        self.browser.set_window_size(1280, 1000)
        # Bernard types the code on the short page, in small letters with spaces, and answers.
        self.browser.delete_all_cookies()
        self.go("/c")
        self.assertIn("Saisissez le code de votre courrier", self.text())
        self.fill("code", code.lower().replace("-", " "))
        self.shot("letter-code")
        self.submit("main form button[type=submit]")
        self.assertIn("/q/", self.browser.current_url)
        self.assertIn("Bonjour Bernard", self.text())
        self.browser.execute_script("""
            const names = new Set([...document.querySelectorAll('input[type=radio]')].map(e => e.name));
            names.forEach(n => document.querySelector(`input[type=radio][name="${n}"]`).click());
            document.querySelectorAll("input[name^='impact_end.']").forEach(e => { e.value = '7'; });
        """)
        self.submit("main form button[type=submit]")
        self.assertIn("Merci", self.text())
        # The code and the link are one questionnaire: both are used up now.
        self.go("/c")
        self.fill("code", code)
        self.submit("main form button[type=submit]")
        self.assertIn("déjà été rempli", self.text())
        self.assertNotIn("Bernard", self.text())

    def test_8_the_yearly_report_renders_with_its_charts(self):
        self.log_in("coord", "mot de passe coord")
        self.go("/reports/years/2027")
        body = self.text()
        self.assertIn("Évaluation 2027", body)
        # Ana's programme of November 2027 was held (attendance recorded): 1 of 1 planned.
        figures = self.browser.find_elements(By.CSS_SELECTOR, "dl.r-key > div")
        self.assertIn("Programmes réalisés / prévus", figures[0].text)
        self.assertEqual(figures[0].find_element(By.CSS_SELECTOR, ".r-value").text, "1 / 1")
        self.assertIn("Intention de traiter", body)
        self.assertGreaterEqual(self.browser.page_source.count("<svg"), 2)
        self.assertTrue(self.browser.find_element(By.CSS_SELECTOR, "svg#chart-attendance, svg[aria-labelledby^='chart-attendance']"))
        self.shot("report-year")
        self.submit("Mois sans tabac 2027", by=By.LINK_TEXT)
        self.assertIn("Évaluation — Mois sans tabac 2027", self.text())
        self.assertIn("<svg", self.browser.page_source)
        self.shot("report-programme")

    def test_8b_the_period_form_and_the_bilan_sheet(self):
        self.log_in("coord", "mot de passe coord")
        self.go("/reports/years/2027")
        # The period form: a reporting period other than the calendar year.
        self.browser.execute_script("document.getElementById('period-from').value = '2027-09-01'")
        self.browser.execute_script("document.getElementById('period-to').value = '2028-08-31'")
        self.submit("form.r-period button[type=submit]")
        self.assertIn("/reports/period?", self.browser.current_url)
        body = self.text()
        self.assertIn("Évaluation du 01/09/2027 au 31/08/2028", body)
        self.assertIn("Mois sans tabac 2027", body)
        # The bilan sheet of the year, field by field, in the funders' order.
        self.go("/reports/years/2027/bilan")
        body = self.text()
        self.assertIn("Bilan de l'action — Évaluation 2027", body)
        labels = ["Intitulé de l'action", "Dates de l'action (début – fin)", "Porteur de l'action", "Public visé", "Nombre de participants",
                  "Séances réalisées", "Objectifs", "Indicateurs et résultats", "Définitions des indicateurs"]
        positions = [body.find(label) for label in labels]
        self.assertTrue(all(p >= 0 for p in positions) and positions == sorted(positions), positions)
        holder = self.browser.find_element(By.ID, "b-holder").text
        self.assertIn("Lieu : CSAPA Nord, 1 rue de la Paix, Lille", holder)
        self.assertIn("Du 04/11/2027 au 18/11/2027", self.browser.find_element(By.ID, "b-dates").text)
        self.assertIn("Arrêt du tabac, en intention de traiter", self.browser.find_element(By.ID, "b-results").text)
        # The script shows the "Copier" buttons; without it the text stays plain and selectable.
        buttons = self.browser.find_elements(By.CSS_SELECTOR, "button[data-copy]")
        self.assertEqual(len(buttons), len(labels))
        self.assertTrue(all(button.is_displayed() for button in buttons))
        self.shot("report-bilan")
        # Neither a peer helper nor an administrator sees it.
        self.log_in("sam", "mot de passe sam")
        self.go("/reports/years/2027/bilan")
        self.assertIn("Accès refusé", self.text())
        self.assertNotIn("Indicateurs et résultats", self.text())

    def test_9_the_other_pages_of_each_role(self):
        # A phone task made by hand, its page and its letter.
        participant_id = self.participant_url.rstrip("/").split("/")[-1]
        task = self.daemon.api("POST", "/api/v1/tasks", self.token, {"participantId": participant_id, "reason": "Rappeler pour les patchs"})
        self.log_in("coord", "mot de passe coord")
        self.go("/tasks/%s" % task["id"])
        self.assertIn("Rappeler pour les patchs", self.text())
        self.shot("task-manual")
        self.go("/participants")
        self.assertIn("Dupont Ana", self.text())
        self.shot("participants")
        self.go("/account")
        self.shot("account")
        self.log_in("claire", "mot de passe claire")
        self.browser.get(self.session_url + "/quick/co")
        self.assertIn("Ana Dupont", self.text())
        self.shot("session-quick-entry-co")
        self.log_in("admin", "un mot de passe solide")
        for page in ("users", "sites", "settings"):
            self.go("/admin/" + page)
            self.assertNotIn("Accès refusé", self.text())
            self.shot("admin-" + page)
        self.go("/participants")
        self.assertIn("Accès refusé", self.text())

    def test_9b_an_address_that_cannot_be_delivered_to(self):
        # Typed on the participant form, "éric@exemple.fr" is refused in French, what was typed kept.
        self.log_in("coord", "mot de passe coord")
        self.go("/participants/new")
        self.fill("firstName", "Éric")
        self.fill("lastName", "Lambert")
        self.fill("birthYear", "1979")
        self.fill("email", "éric@exemple.fr")
        for consent in ("consentDataProcessing", "consentEmail"):
            checkbox = self.browser.find_element(By.ID, consent)
            if not checkbox.is_selected():
                checkbox.click()
        self.submit("main form button[type=submit]")
        body = self.text()
        self.assertIn("ne sont pas acceptés avant le @", body)
        self.assertEqual(self.browser.find_element(By.ID, "email").get_attribute("value"), "éric@exemple.fr")
        self.shot("participant-email-refused")
        # The same address entered before Relais checked them as the transports do: the
        # sweep fails it for good, and staff see whom it was for, why in French, and what to do.
        # He joins a programme still to come (nothing is sent for one already past).
        programme_id = self.daemon.api("POST", "/api/v1/programmes", self.token, {
            "title": "Hiver 2028", "siteId": self.site_id, "roomId": self.room_id, "start": "2028-01-13T14:00",
            "leadId": self.claire_id})["id"]
        eric = self.daemon.api("POST", "/api/v1/participants", self.token, {
            "firstName": "Éric", "lastName": "Lambert", "birthYear": 1979, "email": "eric@exemple.fr",
            "consentDataProcessing": True, "consentEmail": True})
        self.daemon.api("POST", "/api/v1/programmes/%s/enrolments" % programme_id, self.token, {"participantId": eric["id"]})
        subprocess.run(["sqlite3", "-cmd", ".timeout 5000", os.path.join(self.daemon.data, "relais.sqlite"),
                        "UPDATE participant SET email = 'éric@exemple.fr' WHERE id = '%s'" % eric["id"]], check=True, timeout=30)
        self.daemon.cli("send-due", "--now", "2028-02-18T09:00:00Z")
        self.go("/outbox")
        item = self.browser.find_element(By.CSS_SELECTOR, "ul.failed-deliveries li").text
        self.assertIn("Éric Lambert", item)
        self.assertIn("adresse e-mail impossible à livrer", item)
        self.assertIn("Corriger l'adresse e-mail", item)
        self.assertNotIn("invalid", self.text())
        self.assertNotIn("Réessayer", item)
        self.shot("outbox")
        self.go("/")
        self.assertIn("Éric Lambert", self.browser.find_element(By.ID, "failed-title").find_element(By.XPATH, "..").text)
        self.shot("dashboard-failed-deliveries")
        # Corrected on his record, the message can be sent again.
        self.go("/outbox")
        self.submit("ul.failed-deliveries li a.button")
        self.fill("email", "eric@exemple.fr")
        self.submit("main form button[type=submit]")
        self.go("/outbox")
        self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "ul.failed-deliveries li form[action$='/retry']"))

    # A programme run in French through the pages, with form errors: no English on any page.

    ENGLISH = ["the", "must", "expected", "already", "not found", "invalid", "required", "got", "is", "are", "please", "cannot",
               "should", "your", "with", "and", "of", "this", "from", "between", "unknown", "missing", "will", "has", "have", "for",
               "to", "by", "error", "weekly", "every", "none", "true", "false", "null", "present", "excused", "planned", "done",
               "cancelled", "pending", "leads", "booked"]
    NAMES = ["Ana Dupont", "Dupont Ana", "Bruno Martin", "Martin Bruno", "Léa Roux", "Roux Léa", "Mois sans tabac 2027", "Automne 2027",
             "Atelier du jeudi", "CSAPA Nord", "Salle 2", "Salle Bleue", "1 rue de la Paix, Lille", "Claire", "Sam", "Coord", "Relais",
             "ana@example.org", "lea@example.org", "Ctrl", "LibreOffice", "Russell Standard", "West", "Addiction"]

    def assert_french(self, shot_name):
        """The page's visible text has no English sentence (names and typed data aside); a screenshot is saved."""
        body = self.text()
        for name in self.NAMES:
            body = body.replace(name, " ")
        found = [word for word in self.ENGLISH if re.search(r"(?i)(?<![\w@./-])" + re.escape(word) + r"(?![\w@-])", body)]
        found += re.findall(r"(?<![\w])[a-z]{3,}(?:[A-Z][a-z]+)+(?![\w])", body)
        self.shot(shot_name)
        self.assertEqual(found, [], "English on %s (%s):\n%s" % (shot_name, self.browser.current_url, body[:3000]))

    # Accessibility (RGAA 4.1 AA): axe-core on every main page at 1280 and 320 px, and what axe cannot see.

    WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

    @classmethod
    def axe_source(cls):
        """axe-core 4.12.1, from the pinned axe-playwright-python wheel (only its script is used)."""
        if not hasattr(cls, "_axe"):
            import importlib.util
            spec = importlib.util.find_spec("axe_playwright_python")
            if spec is None:
                raise RuntimeError("axe-core is missing: python3 -m pip install --no-deps axe-playwright-python==0.1.8 (make test-deps)")
            with open(os.path.join(spec.submodule_search_locations[0], "axe.min.js"), encoding="utf-8") as f:
                cls._axe = f.read()
        return cls._axe

    def axe_violations(self):
        """The page's violations of the WCAG 2.1 A/AA rules, as 'rule: targets'."""
        self.browser.execute_script(self.axe_source())
        found = self.browser.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
              .then(r => done(r.violations.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))))
              .catch(e => done(["axe failed: " + e]));
        """, self.WCAG_TAGS)
        return found

    def narrow(self, width):
        """Lays the page out at `width` CSS pixels, as a phone would (chromium's window cannot be that narrow)."""
        if width is None:
            self.browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        else:
            self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": True})

    def horizontal_overflow(self):
        return self.browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")

    @staticmethod
    def contrast(first, second):
        def luminance(rgb):
            def channel(c):
                c = c / 255
                return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            r, g, b = (channel(c) for c in rgb)
            return 0.2126 * r + 0.7152 * g + 0.0722 * b
        lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
        return (lighter + 0.05) / (darker + 0.05)

    def focus_ring(self):
        """The focused element's outline (colour, style, width) and the background around it."""
        style = self.browser.execute_script("""
            const e = document.activeElement, s = getComputedStyle(e);
            let p = e.parentElement, bg = "rgb(255, 255, 255)";
            for (; p; p = p.parentElement) {
              const c = getComputedStyle(p).backgroundColor;
              if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { bg = c; break; }
            }
            return [s.outlineColor, s.outlineStyle, parseFloat(s.outlineWidth), bg, e.tagName + "#" + e.id];
        """)
        rgb = lambda text: tuple(int(x) for x in re.findall(r"\d+", text)[:3])
        return rgb(style[0]), style[1], style[2], rgb(style[3]), style[4]

    def test_9y_every_main_page_is_accessible_at_1280_and_320_pixels(self):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys
        import email, email.policy
        # Ana's end-of-programme questionnaire, still to answer: its link from the maildir.
        questionnaire = None
        maildir = os.path.join(self.daemon.data, "maildir", "new")
        for name in sorted(os.listdir(maildir)):
            message = email.message_from_bytes(open(os.path.join(maildir, name), "rb").read(), policy=email.policy.default)
            if "Votre avis sur le programme" in str(message["subject"]) and "Ana" in message.get_body(("plain",)).get_content():
                questionnaire = re.search(r"https?://[^/\s]+(/q/[A-Za-z0-9_-]+)", message.get_body(("plain",)).get_content()).group(1)
        self.assertIsNotNone(questionnaire, "Ana's end questionnaire is in the maildir")
        task_id = self.daemon.api("GET", "/api/v1/tasks?state=open", self.token)["tasks"][0]["id"]
        base = self.daemon.base
        pages = {
            None: ["/login", "/c", questionnaire, "/accessibilite"],
            "coord": ["/", "/programmes", self.programme_url.replace(base, ""), self.session_url.replace(base, ""), "/participants",
                      self.participant_url.replace(base, ""), "/participants/new", "/tasks", "/tasks/%s" % task_id, "/tasks/%s/letter" % task_id,
                      "/outbox", "/reports", "/reports/years/2027", "/account"],
            "claire": ["/", self.session_url.replace(base, "") + "/quick/co", self.session_url.replace(base, "") + "/quick/fagerstrom",
                       self.participant_url.replace(base, "") + "/assessments/new?instrument=fagerstrom"],
        }
        violations, overflows, read = [], [], 0
        for user, paths in pages.items():
            if user is None:
                self.browser.delete_all_cookies()
            else:
                self.log_in(user, "mot de passe %s" % user)
            for width in (None, 320):
                self.narrow(width)
                for path in paths:
                    self.go(path)
                    read += 1
                    violations += ["%s at %s px: %s" % (path, width or 1280, v) for v in self.axe_violations()]
                    if width and self.horizontal_overflow() > 0:
                        wide = self.browser.execute_script("""
                            const limit = document.documentElement.clientWidth;
                            const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) {
                                if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) { return true; } } return false; };
                            return [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > limit + 0.5
                                && !clipped(e) && ![...e.children].some(c => c.getBoundingClientRect().right > limit + 0.5))
                              .concat([...document.querySelectorAll("body *")].filter(e => e.scrollWidth > e.clientWidth + 0.5 && e.clientWidth > 0
                                && getComputedStyle(e).overflowX === "visible" && !clipped(e)))
                              .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className);
                        """)
                        overflows.append("%s is %d px too wide at 320 px (%s)" % (path, self.horizontal_overflow(), ", ".join(wide)))
                        self.shot("a11y-overflow-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:40])
            self.narrow(None)
        self.assertGreaterEqual(read, 40)
        self.assertEqual(violations, [], "axe-core (WCAG 2.1 A/AA):\n" + "\n".join(violations))
        self.assertEqual(overflows, [], "content must reflow at 320 px:\n" + "\n".join(overflows))

        # The questionnaire: required answers announced before they are asked, and errors tied to their fields.
        self.browser.delete_all_cookies()
        self.go(questionnaire)
        note = self.browser.find_element(By.ID, "required-note")
        form = self.browser.find_element(By.CSS_SELECTOR, "main form")
        self.assertTrue(self.browser.execute_script("return arguments[0].compareDocumentPosition(arguments[1]) & Node.DOCUMENT_POSITION_FOLLOWING", note, form),
                        "the note on required answers comes before the questions")
        status = self.browser.find_elements(By.CSS_SELECTOR, "input[type=radio][name='end_status.status']")
        self.assertTrue(status and all(r.get_attribute("required") is not None for r in status), "required radios carry `required`")
        self.assertIn("(obligatoire)", self.browser.find_element(By.CSS_SELECTOR, "#item-end_status-status legend").get_attribute("textContent"))
        helped = self.browser.find_elements(By.CSS_SELECTOR, "[id$='-help']")
        self.assertTrue(helped, "the questionnaire has hints")
        for hint in helped:
            field = hint.get_attribute("id")[:-len("-help")]
            described = self.browser.find_elements(By.CSS_SELECTOR, "[aria-describedby~='%s']" % hint.get_attribute("id"))
            self.assertTrue(described, "the hint of %s is tied to its field" % field)
        self.submit("main form button[type=submit]")
        self.assertTrue(self.browser.title.startswith("Erreur : "), self.browser.title)
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "error-summary", "the focus is on the error summary")
        for radio in self.browser.find_elements(By.CSS_SELECTOR, "input[type=radio][name='end_status.status']"):
            self.assertEqual(radio.get_attribute("aria-invalid"), "true")
            self.assertIn("end_status-status-error", radio.get_attribute("aria-describedby").split())
        self.assertTrue(self.browser.find_element(By.ID, "end_status-status-error").text)
        first_link = self.browser.find_element(By.CSS_SELECTOR, "#error-summary a")
        self.assertTrue(self.browser.find_elements(By.ID, first_link.get_attribute("href").split("#")[1]), "the summary links to the field")
        self.shot("a11y-questionnaire-errors")
        # A staff form: the same summary, announced.
        self.log_in("coord", "mot de passe coord")
        self.go("/participants/new")
        self.submit("main form button[type=submit]")
        self.assertTrue(self.browser.title.startswith("Erreur : "), self.browser.title)
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "error-summary")
        # The focus ring contrasts at least 3:1 with its surroundings, on the dark header and on the page.
        self.browser.delete_all_cookies()
        self.go("/login")
        self.browser.find_element(By.ID, "name").click()
        seen = []
        # By keyboard (so :focus-visible applies): the password field, back to the name, back to the brand link in the dark header.
        for keys in ([Keys.TAB], [Keys.SHIFT, Keys.TAB], [Keys.SHIFT, Keys.TAB]):
            chain = ActionChains(self.browser)
            if len(keys) == 2:
                chain = chain.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
            else:
                chain = chain.send_keys(Keys.TAB)
            chain.perform()
            colour, style, width, background, element = self.focus_ring()
            seen.append(element)
            self.assertEqual(style, "solid", element)
            self.assertGreaterEqual(width, 2, element)
            self.assertGreaterEqual(self.contrast(colour, background), 3, "%s: outline %s on %s" % (element, colour, background))
        self.assertTrue(any(e.startswith("A#") for e in seen) and any(e.startswith("INPUT#") for e in seen), seen)
        self.go("/accessibilite")
        self.assertIn("partiellement conforme", self.text())
        self.assertIn("Défenseur des droits", self.text())
        self.shot("accessibility-statement")

    def test_9z_a_programme_run_in_french_with_its_form_errors(self):
        daemon = self.daemon
        daemon.api("POST", "/api/v1/sites/%s/rooms" % self.site_id, self.token, {"name": "Salle Bleue", "capacity": 12})
        self.log_in("coord", "mot de passe coord")
        # The creation form refused: no title, a rhythm "every N days" without a number.
        self.go("/programmes/new")
        self.assert_french("fr-programme-new")
        self.choose("rhythm", "Tous les N jours")
        self.fill("everyDays", "")
        self.browser.execute_script("document.getElementById('start').value = '2028-05-11T18:00'")
        self.submit("button[value=preview]")
        body = self.text()
        self.assertIn("Le formulaire contient des erreurs", body)
        self.assertIn("Titre : obligatoire", body)
        self.assert_french("fr-programme-new-errors")
        # A proposal with the holiday shifted: the proposal shows the day it will be saved on.
        self.fill("title", "Atelier du jeudi")
        self.choose("siteId", "CSAPA Nord")
        self.choose("roomId", "CSAPA Nord — Salle Bleue")
        self.choose("rhythm", "Hebdomadaire")
        self.choose("leadId", "Claire")
        self.fill("capacity", "1")
        self.click("#shiftHolidays")
        self.submit("button[value=preview]")
        body = self.text()
        self.assertIn("vendredi 26 mai 2028, 18 h 00", body)
        self.assertIn("Décalée : Ascension tombait le jeudi 25 mai 2028", body)
        self.assert_french("fr-programme-proposal-shifted")
        self.submit("button[value=create]")
        self.assertIn("Programme enregistré.", self.text())
        programme_url = self.browser.current_url.split("?")[0]
        # Bruno, without consent to data processing and without email: flagged.
        self.go("/participants/new?programme=" + programme_url.rstrip("/").split("/")[-1])
        self.fill("firstName", "Bruno")
        self.fill("lastName", "Martin")
        self.fill("birthYear", "1970")
        self.fill("phone", "06 11 22 33 44")
        self.click("#preferredChannel-phone")
        self.submit("main form button[type=submit]")
        body = self.text()
        self.assertIn("sans consentement aux données", body)
        self.assert_french("fr-programme-enrolled-without-consent")
        # Léa, with an email, goes on the waiting list and is told by mail.
        self.go("/participants/new?programme=" + programme_url.rstrip("/").split("/")[-1])
        self.fill("firstName", "Léa")
        self.fill("lastName", "Roux")
        self.fill("birthYear", "1985")
        self.fill("email", "lea@example.org")
        for consent in ("consentDataProcessing", "consentEmail"):
            self.click("#" + consent)
        self.submit("main form button[type=submit]")
        self.assertIn("placée en liste d'attente", self.text())
        self.assert_french("fr-programme-waiting-list")
        # A consultation booked, then booked again: the conflict is said in French.
        for attempt in range(2):
            self.browser.get(programme_url)
            self.browser.execute_script("document.getElementById('c-start').value = '2028-05-12T10:00'")
            self.submit("form[action$='/consultations'] button[type=submit]")
        body = self.text()
        self.assertIn("la consultation 1 est déjà prévue pour ce participant", body)
        self.assert_french("fr-consultation-booked-twice")
        # Bruno leaves: Léa takes the freed place, named; Bruno stays, struck out.
        self.browser.get(programme_url)
        self.fill(self.browser.find_element(By.CSS_SELECTOR, "input[name=reason]").get_attribute("id"), "Déménagement")
        self.submit("form[action$='/withdraw'] button[type=submit]")
        body = self.text()
        self.assertIn("Léa Roux quitte la liste d'attente et prend la place libérée", body)
        self.assertIn("Motif de sortie : Déménagement", body)
        self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "tr.withdrawn s"))
        self.assert_french("fr-programme-withdrawn-promoted")
        # The tabacologue, the evening of session 2: attendance, a CO reading refused, the decisional balance for the group.
        self.daemon.set_clock("2028-05-18T20:30:00+02:00")
        self.log_in("claire", "mot de passe claire")
        self.browser.get(programme_url)
        self.submit("Séance 2", by=By.PARTIAL_LINK_TEXT)
        session_url = self.browser.current_url.split("?")[0]
        self.assertIn("Qui lit cette note", self.text())
        self.assert_french("fr-session")
        self.browser.get(session_url + "/quick/decisional_balance")
        self.assert_french("fr-session-quick-decisional-balance")
        textarea = self.browser.find_elements(By.CSS_SELECTOR, "textarea")[0]
        textarea.send_keys("Le café du matin")
        self.submit("main form button[type=submit]")
        self.assertIn("1 résultat enregistré.", self.text())
        self.assert_french("fr-session-decisional-balance-saved")
        self.browser.get(programme_url)
        self.submit("Séance 1", by=By.PARTIAL_LINK_TEXT)
        self.browser.get(self.browser.current_url.split("?")[0] + "/quick/co")
        self.browser.find_elements(By.CSS_SELECTOR, "input[type=number]")[0].send_keys("250")
        self.submit("main form button[type=submit]")
        body = self.text()
        self.assertIn("Taux de CO dans l'air expiré : nombre attendu, de 0 à 200", body)
        self.assert_french("fr-session-quick-co-error")
        self.go("/")
        self.assert_french("fr-dashboard-tabacologue")


if __name__ == "__main__":
    unittest.main(verbosity=2)
