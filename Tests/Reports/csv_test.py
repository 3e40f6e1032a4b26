#!/usr/bin/env python3
"""The two CSV files of the evaluation, read back as a spreadsheet reads them.

Starts `relais serve` (the debug build, or RELAIS_BINARY) on a free loopback port with `relais demo`
data (the daemon and tokens of Tests/API/relais_api.py), logs in as a coordinator, downloads both
CSV files of the demo year, of its past programme and of the year as a period, by their pages,
and reads them with Python's csv module (`;`, the UTF-8 byte order mark). Checks: the BOM, the
separator, the decimal comma, the French headings and labels (English with ?lang=en), the
preamble (period, date of the figures), and the numbers against the JSON report of the API.

    python3 Tests/Reports/csv_test.py [--keep]
"""
import csv
import io
import json
import os
import re
import sys
import unittest
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "API"))
from relais_api import Daemon, http as api_call  # noqa: E402

COORDINATOR = "coordinator"

BOM = b"\xef\xbb\xbf"
SMALL = 5


def masked(count):
    """A count of people as the aggregate file writes it."""
    return f"< {SMALL}" if 1 <= count < SMALL else str(count)


def french(number):
    """A figure as the French file writes it: no trailing zeros, a decimal comma."""
    text = str(int(number)) if float(number).is_integer() else f"{round(number, 2)}"
    return text.replace(".", ",")


def masked_rate(rate, count, base):
    if rate is None:
        return ""
    return f"< {SMALL}" if 1 <= count < SMALL or base < SMALL else french(rate)


class Session:
    """A browser session on the pages: the login form with its CSRF cookie, then GETs."""

    def __init__(self, base, name, password):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = self.opener.open(base + "/login").read().decode()
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        self.opener.open(base + "/login", urllib.parse.urlencode({"_csrf": token, "name": name, "password": password}).encode())

    def get(self, path):
        with self.opener.open(self.base + path) as response:
            return response.status, dict(response.headers), response.read()


class CSVExportTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(keep="--keep" in sys.argv)
        try:
            cls.daemon.prepare()
            cls.daemon.cli("user", "add", "csv.coord", "--role", "coordinator", "--display-name", "CSV", stdin="mot de passe csv\n")
            cls.daemon.start()
            cls.session = Session(cls.daemon.base, "csv.coord", "mot de passe csv")
            cls.token = cls.daemon.tokens[COORDINATOR]
            cls.past = cls.daemon.demo["programmes"]["past"]
            programme = cls.api(f"/api/v1/programmes/{cls.past}")
            cls.year = programme["sessions"][0]["startLocal"][:4]
            cls.report = cls.api(f"/api/v1/reports/years/{cls.year}")
        except BaseException:
            cls.daemon.stop()  # unittest does not call tearDownClass when setUpClass fails
            raise

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    @classmethod
    def api(cls, path):
        answer = api_call(cls.daemon.base, "GET", path, token=cls.token)
        assert answer.status == 200, f"{path}: {answer.status} {answer.raw[:300]!r}"
        return answer.json()

    def download(self, path):
        """The file's rows as csv reads them with `;` and the BOM; the raw bytes checked first."""
        status, headers, raw = self.session.get(path)
        self.assertEqual(status, 200, path)
        self.assertTrue(headers.get("Content-Type", "").startswith("text/csv; charset=utf-8"), headers)
        self.assertIn("attachment; filename=", headers.get("Content-Disposition", ""))
        self.assertTrue(raw.startswith(BOM), f"{path}: no UTF-8 byte order mark")
        self.assertIn(b"\r\n", raw)
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        # The preamble up to an empty row, then the table.
        empty = rows.index([])
        return rows[:empty], rows[empty + 1:]

    def aggregate(self, path):
        preamble, table = self.download(path)
        self.assertEqual(table[0], ["Rubrique", "Indicateur", "Catégorie", "Valeur", "Dénominateur", "Pourcentage", "Code"])
        self.assertTrue(all(len(row) == 7 for row in table), "seven cells in every row")
        return preamble, {row[6]: row for row in table[1:]}

    def check_against(self, rows, report):
        """The aggregate rows against the JSON report of the same scope."""
        participants = report["participants"]
        self.assertEqual(rows["participants.counted"][3], masked(participants["counted"]))
        started = rows["participants.started"]
        self.assertEqual(started[3:6], [masked(participants["started"]), masked(participants["counted"]),
                                        masked_rate(100 * participants["started"] / participants["counted"], participants["started"], participants["counted"])
                                        if participants["counted"] else ""])
        for outcome in report["outcomes"]:
            point, smokers, rates = outcome["timePoint"], outcome["smokers"], outcome["rates"]
            self.assertEqual(rows[f"{point}.base"][3], masked(smokers["base"]), point)
            self.assertEqual(rows[f"{point}.respondents"][3:6],
                             [masked(smokers["respondents"]), masked(smokers["base"]),
                              masked_rate(rates.get("responseRate"), smokers["respondents"], smokers["base"])], point)
            for status in ("stopped", "reduced", "unchanged", "increased", "unknown"):
                row = rows[f"{point}.{status}.itt"]
                self.assertEqual(row[2], "Intention de traiter")
                self.assertEqual(row[3:6], [masked(smokers[status]), masked(smokers["base"]),
                                            masked_rate(100 * smokers[status] / smokers["base"] if smokers["base"] else None,
                                                        smokers[status], smokers["base"])], f"{point} {status}")
            self.assertEqual(rows[f"{point}.co_validated.itt"][3], masked(smokers["stoppedCoValidated"]))
            self.assertEqual(rows[f"{point}.ex_smokers.base"][3], masked(outcome["exSmokers"]["base"]))
            if point == "end":
                self.assertNotIn("end.maintained_stopped.itt", rows)
            else:
                self.assertEqual(rows[f"{point}.maintained_stopped.itt"][3], masked(smokers["maintainedStopped"]))
        # Treatments: participants who received one, and per kind, every kind of the file listed.
        treated = report["treatments"]["participantsTreated"]
        self.assertEqual(rows["treatments.participants_treated"][3:5], [masked(treated["count"]), masked(treated["denominator"])])
        kinds = report["treatments"]["byKind"]
        self.assertEqual([kind["code"] for kind in kinds][:3], ["nicotine_patch", "nicotine_gum", "nicotine_lozenge"])
        for kind in kinds:
            row = rows[f"treatments.kind.{kind['code']}"]
            self.assertEqual(row[3:5], [masked(kind["count"]), masked(treated["denominator"])], kind["code"])

    def test_the_aggregate_file_of_the_year(self):
        preamble, rows = self.aggregate(f"/reports/years/{self.year}/aggregate.csv")
        self.assertEqual(preamble[0], ["Rapport", f"Évaluation {self.year}"])
        self.assertEqual(preamble[2], ["Période", f"du 01/01/{self.year} au 31/12/{self.year}"])
        as_of = self.report["asOf"]
        self.assertEqual(preamble[3], ["Données au", f"{as_of[8:10]}/{as_of[5:7]}/{as_of[:4]}"])
        self.check_against(rows, self.report)
        # French labels for the codes, and decimals with a comma.
        self.assertEqual(rows["end.stopped.itt"][:2], ["Fin de programme", "Arrêt"])
        self.assertTrue(any(re.fullmatch(r"\d+,\d+", row[5]) for row in rows.values()), "a decimal comma somewhere")
        self.assertFalse(any(re.fullmatch(r"\d+\.\d+", cell) for row in rows.values() for cell in row[3:6]), "no decimal point")
        self.assertIn("Russell Standard", rows["definition.rates"][3])

    def test_the_participant_file_of_the_year(self):
        preamble, table = self.download(f"/reports/years/{self.year}/participants.csv")
        self.assertEqual(preamble[0], ["Rapport", f"Évaluation {self.year}"])
        header, people = table[0], table[1:]
        for heading in ("Participant (pseudonyme)", "Statut à l'entrée", "Consommation à l'entrée (équivalents cigarettes par jour)",
                        "Publics prioritaires", "Tranche d'âge", "Département", "Fin : statut", "Fin : contrôle CO", "3 mois : arrêt maintenu",
                        "Traitements reçus"):
            self.assertIn(heading, header)
        self.assertTrue(all(len(row) == len(header) for row in people))
        participants = self.report["participants"]
        self.assertEqual(len(people), participants["counted"] - participants["erased"])
        self.assertTrue(all(re.fullmatch(r"P-[0-9a-f]{16}", row[0]) for row in people))
        # No name, contact or birth year: the demo's people are "(FICTIF)" in their last name only
        # (programme and site names carry it too, so look for the last names themselves).
        text = json.dumps(table, ensure_ascii=False)
        for name in ("Morel", "Lefèvre", "Garnier", "Roux", "exemple.invalid", "allée des Exemples", "06 00 00"):
            self.assertNotIn(name, text)
        # The statuses, counted in the file, are the report's.
        end = next(o for o in self.report["outcomes"] if o["timePoint"] == "end")["smokers"]
        status = header.index("Fin : statut")
        smoker = header.index("Statut à l'entrée")
        due = header.index("Fin : point dû")
        column = [row[status] for row in people if row[smoker] == "Fumeur" and row[due] == "Oui"]
        for code, label in (("stopped", "Arrêt"), ("reduced", "Réduction"), ("unchanged", "Inchangé"), ("unknown", "Inconnu")):
            self.assertEqual(column.count(label), end[code], code)
        # Numbers with a decimal comma, never a point.
        self.assertFalse(any(re.fullmatch(r"\d+\.\d+", cell) for row in people for cell in row))
        # The demo's treatments, by their French labels, as many people as the report counts.
        treatments = header.index("Traitements reçus")
        treated = [row[treatments] for row in people if row[treatments]]
        self.assertEqual(len(treated), self.report["treatments"]["participantsTreated"]["count"])
        self.assertTrue(any("Timbre (patch) nicotinique" in cell for cell in treated), treated)

    def test_the_files_of_a_programme_and_of_a_period(self):
        programme = self.api(f"/api/v1/reports/programmes/{self.past}")
        preamble, rows = self.aggregate(f"/reports/programmes/{self.past}/aggregate.csv")
        self.assertEqual(preamble[2][0], "Séances")
        self.check_against(rows, programme)
        _, people = self.download(f"/reports/programmes/{self.past}/participants.csv")
        self.assertEqual(len(people) - 1, programme["participants"]["counted"])
        period = self.api(f"/api/v1/reports/period?from={self.year}-01-01&to={self.year}-12-31")
        preamble, rows = self.aggregate(f"/reports/period/aggregate.csv?from={self.year}-01-01&to={self.year}-12-31")
        self.assertEqual(preamble[0], ["Rapport", f"Évaluation du 01/01/{self.year} au 31/12/{self.year}"])
        self.check_against(rows, period)

    def test_english_on_request(self):
        preamble, table = self.download(f"/reports/years/{self.year}/aggregate.csv?lang=en")
        self.assertEqual(preamble[0], ["Report", f"Evaluation {self.year}"])
        self.assertEqual(table[0], ["Section", "Indicator", "Category", "Value", "Denominator", "Percent", "Code"])
        self.assertEqual(next(row for row in table if row[6] == "end.stopped.itt")[:3], ["End of programme", "Stopped", "Intention to treat"])
        _, people = self.download(f"/reports/years/{self.year}/participants.csv?lang=en")
        self.assertEqual(people[0][0], "Participant (pseudonym)")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
