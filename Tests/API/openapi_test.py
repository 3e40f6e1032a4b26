#!/usr/bin/env python3
"""The OpenAPI description against the real daemon.

Starts `relais serve` (the debug build, or RELAIS_BINARY) on a free loopback port with a fresh
data folder filled by `relais demo`, an administrator, one API token per role, and data made
through the API. Then:

1. the plain test: the served description is the source file and a valid OpenAPI 3.1 document;
   every GET operation is called with real ids by every role, and each answer (status, headers,
   media type, body) is checked against the description with jsonschema, as are the answers of
   the calls that made the data and a set of refusals (400, 401, 403, 404, 405, 409, 413, 422);
   a conforming body altered (an unknown key, a wrong type) must fail its schema, so that a
   schema too loose to say anything is caught;
2. schemathesis over the served description with each role's token (checks not_a_server_error,
   status_code_conformance, content_type_conformance, response_headers_conformance and
   response_schema_conformance; a fixed seed, a bounded number of examples, real ids offered
   beside generated ones).

Prints a summary, exits non-zero on any failure, always stops the daemon.

    python3 Tests/API/openapi_test.py [--examples N] [--seed S] [--roles admin,...] [--skip-schemathesis] [--keep]

RELAIS_BINARY names another relais binary (default .build/debug/relais, next to its resource
bundles); API_TEST_EXAMPLES and API_TEST_SEED set the defaults of --examples and --seed.
"""
import argparse
import http.client as http_client
import datetime
import json
import os
import re
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the test
sys.path.insert(0, HERE)
from relais_api import ROLES, SOURCE_DESCRIPTION, Answer, Daemon, Description, http  # noqa: E402

ADMIN, COORDINATOR, TABACOLOGUE, PEER = ROLES

# Who may call each GET operation (README, "Roles" and "HTTP API"), written here independently of
# the description. "own" means a peer helper, for the programmes they co-lead (all the data used
# here: the demo's programmes and the one made below have the demo's peer helper).
PLANNERS = {COORDINATOR, TABACOLOGUE}
GET_ACCESS = {
    "/healthz": set(ROLES),
    "/api/v1/openapi.json": set(ROLES),
    "/api/v1/me": set(ROLES),
    "/api/v1/programmes": PLANNERS | {PEER},
    "/api/v1/programmes/{id}": PLANNERS | {PEER},
    "/api/v1/sessions/{id}": PLANNERS | {PEER},
    # The clinical record: a tabacologue only.
    "/api/v1/participants/{id}/treatments": {TABACOLOGUE},
}


class Failures:
    def __init__(self):
        self.items = []
        self.checked = 0

    def add(self, what, problems):
        self.checked += 1
        for problem in problems:
            self.items.append(f"{what}: {problem}")


class PlainTest:
    """Real answers against the description, with jsonschema."""

    def __init__(self, daemon, description, failures):
        self.daemon = daemon
        self.description = description
        self.failures = failures
        self.ids = {}

    def call(self, role, method, template, params=None, expect=None, query=None, **kw):
        """Calls METHOD TEMPLATE as ROLE (None: no token), checks the answer against the description,
        and that its status is `expect` when given."""
        path = template
        for name, value in (params or {}).items():
            path = path.replace("{" + name + "}", str(value))
        token = self.daemon.tokens[role] if role else kw.pop("token", None)
        answer = http(self.daemon.base, method, path, token=token, query=query, **kw)
        what = f"{method} {path}{'?' + json.dumps(query) if query else ''} as {role or 'nobody'}"
        problems = self.description.check(method, template, answer)
        if expect is not None and answer.status != expect:
            problems.append(f"expected status {expect}, got {answer.status}: {answer.raw[:300]!r}")
        if not problems and 200 <= answer.status < 300 and answer.raw and template != "/api/v1/openapi.json":
            loose = self.description.too_loose(answer.schema_pointer, answer.json())
            problems += [f"the schema of the {answer.status} answer accepts {m}" for m in loose]
        self.failures.add(what, problems)
        return answer

    def body(self, answer):
        try:
            return answer.json()
        except ValueError:
            return {}

    # ------------------------------------------------------------------------------------------
    def served_description(self):
        answer = http(self.daemon.base, "GET", "/api/v1/openapi.json")
        with open(SOURCE_DESCRIPTION) as f:
            source = json.load(f)
        problems = self.description.check("GET", "/api/v1/openapi.json", answer)
        if answer.status == 200 and answer.json() != source:
            problems.append("the served description differs from Sources/RelaisWeb/OpenAPI/openapi.json: rebuild (`swift build`)")
        try:
            from openapi_spec_validator import validate
            validate(source)
        except ImportError:
            pass
        except Exception as error:  # the validator's own exception types vary between versions
            problems.append(f"not a valid OpenAPI 3.1 document: {str(error)[:500]}")
        self.failures.add("GET /api/v1/openapi.json", problems)

    # ------------------------------------------------------------------------------------------
    def make_data(self):
        """Data made through the API (each answer checked too): a site with a room, participants, a
        programme led by the demo's tabacologue and co-led by its peer helper, enrolments, a
        consultation with a note, an assessment corrected and one withdrawn, an orientation, a task,
        attendance, a moved and a cancelled session, calendar links."""
        users = self.daemon.users
        ids = self.ids
        site = self.body(self.call(COORDINATOR, "POST", "/api/v1/sites", body={"name": "Site API (FICTIF)", "address": "1 rue du Test\n75000 Paris"},
                                   expect=201))
        ids["site"] = site.get("id")
        room = self.body(self.call(COORDINATOR, "POST", "/api/v1/sites/{id}/rooms", {"id": ids["site"]}, body={"name": "Salle API", "capacity": 12},
                                   expect=201))
        ids["room"] = room.get("id")
        people = []
        for first, last in [("Alix", "Api"), ("Bastien", "Api"), ("Camille", "Api")]:
            person = self.body(self.call(COORDINATOR, "POST", "/api/v1/participants",
                                         body={"firstName": first, "lastName": last, "email": f"{first.lower()}@exemple.invalid",
                                               "birthYear": 1980, "consentDataProcessing": True, "consentEmail": True,
                                               "preferredChannel": "email", "phone": "01 23 45 67 89"}, expect=201))
            people.append(person.get("id"))
        ids["participant"] = people[0]
        self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}", {"id": people[0]}, body={"precarity": True, "birthYear": None}, expect=200)
        self.call(COORDINATOR, "PATCH", "/api/v1/participants/{id}", {"id": people[1]},
                  body={"sex": "female", "postalCode": "59000", "pregnant": True, "complementaireSanteSolidaire": True}, expect=200)
        request = {"title": "Programme API (FICTIF)", "siteId": ids["site"], "roomId": ids["room"], "start": "2027-06-07T10:00",
                   "leadId": users[TABACOLOGUE]["id"], "peerHelperId": users[PEER]["id"], "capacity": 2, "moisSansTabac": True}
        self.call(COORDINATOR, "POST", "/api/v1/programmes/preview", body={**request, "cadence": "every:14"}, expect=200)
        programme = self.body(self.call(COORDINATOR, "POST", "/api/v1/programmes", body=request, expect=201))
        # A programme by visio, without a peer helper, on a public holiday (1 May 2028): the answer lists it.
        visio = self.body(self.call(TABACOLOGUE, "POST", "/api/v1/programmes",
                                    body={"title": "Programme visio (FICTIF)", "modality": "visio", "visioUrl": "https://visio.exemple.invalid/r/1",
                                          "start": "2028-05-01T18:00", "leadId": users[TABACOLOGUE]["id"], "template": "4g1i",
                                          "cadence": ["2028-05-01T18:00", "2028-05-09T18:00", "2028-05-16T18:00", "2028-05-23T18:00"]},
                                    expect=201))
        ids["visio_programme"] = visio.get("id")
        if not visio.get("holidays"):
            self.failures.add("POST /api/v1/programmes", ["a session on 1 May is not listed in holidays"])
        ids["visio_session"] = (visio.get("sessions") or [{"id": "none"}])[0]["id"]
        ids["programme"] = programme.get("id")
        sessions = [s["id"] for s in programme.get("sessions", [])]
        ids["session"] = sessions[0] if sessions else "none"
        enrolments = []
        # The first with a baseline counted by product, the others with their record's.
        baselines = [{"smokingStatus": "smoker", "products": {"cigarette": 5, "cigarillo": 3}, "goal": "reduce", "publics": ["precarity"]}, None, None]
        for person, baseline in zip(people, baselines):
            body = {"participantId": person, **({"baseline": baseline} if baseline else {})}
            enrolment = self.body(self.call(COORDINATOR, "POST", "/api/v1/programmes/{id}/enrolments", {"id": ids["programme"]},
                                            body=body, expect=201))
            enrolments.append(enrolment.get("id"))
        ids["enrolment"] = enrolments[0]
        self.call(TABACOLOGUE, "PUT", "/api/v1/enrolments/{id}/baseline", {"id": enrolments[0]},
                  body={"cigarettesPerDay": 12.5, "goal": "stop", "publics": ["precarity", "justice"]}, expect=200)
        # The third is on the waiting list (capacity 2); the second withdraws and the third takes the place.
        self.call(COORDINATOR, "POST", "/api/v1/enrolments/{id}/withdraw", {"id": enrolments[1]}, body={"reason": "Déménagement"}, expect=200)
        consultation = self.body(self.call(COORDINATOR, "POST", "/api/v1/programmes/{id}/consultations", {"id": ids["programme"]},
                                           body={"participantId": people[0], "index": 1, "facilitatorId": users[TABACOLOGUE]["id"],
                                                 "start": "2027-06-08T14:00", "modality": "visio"}, expect=201))
        ids["consultation"] = consultation.get("id")
        changed = self.body(self.call(TABACOLOGUE, "PATCH", "/api/v1/consultations/{id}", {"id": ids["consultation"]},
                                      body={"note": "Note clinique (FICTIF)", "durationMinutes": 60}, expect=200))
        if changed.get("note") != "Note clinique (FICTIF)":
            self.failures.add("PATCH /api/v1/consultations/{id}", ["the clinician's answer does not carry the note"])
        fagerstrom = self.body(http(self.daemon.base, "GET", "/api/v1/instruments/fagerstrom", token=self.daemon.tokens[COORDINATOR]))
        answers = {}
        for item in fagerstrom.get("items", []):
            if item["type"] == "single_choice":
                answers[item["id"]] = item["options"][0]["code"]
            elif item["type"] in ("integer", "number"):
                answers[item["id"]] = item.get("min", 0)
        self.call(COORDINATOR, "POST", "/api/v1/instruments/{id}/score", {"id": "fagerstrom"}, body=answers, expect=200)
        self.call(COORDINATOR, "POST", "/api/v1/instruments/{id}/score", {"id": "fagerstrom"}, body={"q1": answers.get("q1")},
                  query={"partial": "true"}, expect=200)
        assessment = self.body(self.call(COORDINATOR, "POST", "/api/v1/participants/{id}/assessments", {"id": people[0]},
                                         body={"instrument": "fagerstrom", "answers": answers, "source": "phone",
                                               "programmeId": ids["programme"]}, expect=201))
        ids["assessment"] = assessment.get("id")
        # A corrected assessment (its previous version kept) and a withdrawn one (kept, marked).
        one = {"id": people[0], "assessment": ids["assessment"]}
        corrected = self.body(self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}/assessments/{assessment}", one,
                                        body={"date": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
                                              "reason": "Date recopiée de travers (FICTIF)"}, expect=200))
        if len(corrected.get("corrections") or []) != 1:
            self.failures.add("PATCH /api/v1/participants/{id}/assessments/{assessment}", ["the answer does not list the correction"])
        self.call(COORDINATOR, "PATCH", "/api/v1/participants/{id}/assessments/{assessment}", one, body={"date": "2026-01-16"}, expect=422)
        self.call(PEER, "PATCH", "/api/v1/participants/{id}/assessments/{assessment}", one, body={"date": "2026-01-16", "reason": "x"}, expect=403)
        withdrawn = self.body(self.call(COORDINATOR, "POST", "/api/v1/participants/{id}/assessments", {"id": people[0]},
                                        body={"instrument": "co", "answers": {"ppm": 3}}, expect=201))
        ids["withdrawn_assessment"] = withdrawn.get("id")
        gone = {"id": people[0], "assessment": ids["withdrawn_assessment"]}
        self.call(COORDINATOR, "DELETE", "/api/v1/participants/{id}/assessments/{assessment}", gone, body={}, expect=422)
        answer = self.body(self.call(COORDINATOR, "DELETE", "/api/v1/participants/{id}/assessments/{assessment}", gone,
                                     body={"reason": "Saisi pour une autre personne (FICTIF)"}, expect=200))
        if answer.get("withdrawn") is not True or not answer.get("withdrawal"):
            self.failures.add("DELETE /api/v1/participants/{id}/assessments/{assessment}", ["the answer is not marked withdrawn"])
        self.call(COORDINATOR, "DELETE", "/api/v1/participants/{id}/assessments/{assessment}", gone, body={"reason": "Deux fois"}, expect=409)
        self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}/assessments/{assessment}", gone,
                  body={"date": "2026-01-16", "reason": "Trop tard"}, expect=409)
        self.call(TABACOLOGUE, "POST", "/api/v1/participants/{id}/orientations", {"id": people[0]},
                  body={"kinds": ["medecin_traitant", "other"], "detail": "Voir son médecin (FICTIF)", "programmeId": ids["programme"]},
                  expect=201)
        # Treatments: recorded, ended and corrected by a tabacologue (their history kept); every other role 403.
        treatment_body = {"kind": "nicotine_patch", "dose": "21 mg/24 h", "start": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
                          "programmeId": ids["programme"], "note": "Avec gommes 2 mg si besoin (FICTIF)"}
        for role in (COORDINATOR, PEER, ADMIN):
            self.call(role, "POST", "/api/v1/participants/{id}/treatments", {"id": people[0]}, body=treatment_body, expect=403)
        treatment = self.body(self.call(TABACOLOGUE, "POST", "/api/v1/participants/{id}/treatments", {"id": people[0]}, body=treatment_body,
                                        expect=201))
        ids["treatment"] = treatment.get("id")
        self.call(TABACOLOGUE, "POST", "/api/v1/participants/{id}/treatments", {"id": people[0]},
                  body={"kind": "varenicline", "dose": "0,5 mg", "start": (datetime.date.today() + datetime.timedelta(days=40)).isoformat()}, expect=422)
        self.call(TABACOLOGUE, "POST", "/api/v1/participants/{id}/treatments", {"id": people[0]},
                  body={"kind": "varenicline", "dose": "0,5 mg", "start": "2026-03-10", "end": "2026-03-01"}, expect=422)
        self.call(TABACOLOGUE, "POST", "/api/v1/participants/{id}/treatments", {"id": people[0]},
                  body={"kind": "cytisine", "dose": "1,5 mg six fois par jour", "start": (datetime.date.today() + datetime.timedelta(days=7)).isoformat()},
                  expect=201)
        one_treatment = {"id": people[0], "treatment": ids["treatment"]}
        for role in (COORDINATOR, PEER, ADMIN):
            self.call(role, "PATCH", "/api/v1/participants/{id}/treatments/{treatment}", one_treatment, body={"end": datetime.date.today().isoformat()},
                      expect=403)
        ended = self.body(self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}/treatments/{treatment}", one_treatment,
                                    body={"end": datetime.date.today().isoformat()}, expect=200))
        if len(ended.get("corrections") or []) != 1 or ended["corrections"][0].get("reason") is not None:
            self.failures.add("PATCH /api/v1/participants/{id}/treatments/{treatment}", ["an end without reason is not in the history"])
        self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}/treatments/{treatment}", one_treatment, body={"dose": "14 mg/24 h"}, expect=422)
        self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}/treatments/{treatment}", one_treatment,
                  body={"dose": "14 mg/24 h", "reason": "Dose mal reportée (FICTIF)"}, expect=200)
        self.call(TABACOLOGUE, "PATCH", "/api/v1/participants/{id}/treatments/{treatment}", {"id": people[0], "treatment": "none"},
                  body={"end": datetime.date.today().isoformat()}, expect=404)
        task = self.body(self.call(COORDINATOR, "POST", "/api/v1/tasks", body={"participantId": people[0], "reason": "Rappeler (FICTIF)",
                                                                               "dueOn": "2027-01-10", "assignedTo": users[COORDINATOR]["id"]},
                                   expect=201))
        ids["task"] = task.get("id")
        self.call(COORDINATOR, "PATCH", "/api/v1/tasks/{id}", {"id": ids["task"]}, body={"note": "Appel prévu", "assignedTo": None}, expect=200)
        # Attendance is recorded from a session's start: refused for one to come, recorded for a
        # programme entered after the fact (scripts are not asked to confirm the past).
        self.call(PEER, "PUT", "/api/v1/sessions/{id}/attendance", {"id": ids["session"]},
                  body={"records": [{"participantId": people[0], "status": "present"}]}, expect=422)
        past_start = (datetime.date.today() - datetime.timedelta(days=40)).isoformat() + "T10:00"
        past = self.body(self.call(COORDINATOR, "POST", "/api/v1/programmes", body={**request, "title": "Programme passé (FICTIF)",
                                                                                  "start": past_start, "moisSansTabac": False}, expect=201))
        self.call(COORDINATOR, "POST", "/api/v1/programmes/{id}/enrolments", {"id": past.get("id")}, body={"participantId": people[0]}, expect=201)
        self.call(PEER, "PUT", "/api/v1/sessions/{id}/attendance", {"id": (past.get("sessions") or [{"id": "none"}])[0]["id"]},
                  body={"records": [{"participantId": people[0], "status": "present"}], "note": "Bonne séance"}, expect=200)
        self.consultation_record(past, people[0])
        if len(sessions) >= 3:
            self.call(COORDINATOR, "PATCH", "/api/v1/sessions/{id}", {"id": sessions[1]},
                      body={"start": "2027-06-15T11:00", "reason": "Salle indisponible"}, expect=200)
            self.call(COORDINATOR, "POST", "/api/v1/sessions/{id}/cancel", {"id": sessions[2]}, body={"reason": "Grève"}, expect=200)
            ids["changed_session"] = sessions[1]
        self.call(COORDINATOR, "POST", "/api/v1/programmes/{id}/feed", {"id": ids["programme"]}, expect=201)
        self.call(COORDINATOR, "DELETE", "/api/v1/programmes/{id}/feed", {"id": ids["programme"]}, expect=204)
        self.call(TABACOLOGUE, "POST", "/api/v1/me/feed", expect=201)
        self.call(TABACOLOGUE, "DELETE", "/api/v1/me/feed", expect=204)
        self.call(COORDINATOR, "PATCH", "/api/v1/me", body={"language": "fr", "displayName": "Claire Coordination (FICTIF)"}, expect=200)
        # Ids the demo made: a message of the outbox, an instrument.
        messages = self.body(http(self.daemon.base, "GET", "/api/v1/outbox", token=self.daemon.tokens[COORDINATOR])).get("messages", [])
        ids["message"] = messages[0]["id"] if messages else "none"
        tasks = self.body(http(self.daemon.base, "GET", "/api/v1/tasks", token=self.daemon.tokens[COORDINATOR])).get("tasks", [])
        ids["questionnaire_task"] = next((t["id"] for t in tasks if t["invitationId"]), ids["task"])
        ids["instrument"] = "fagerstrom"
        ids["year"] = programme.get("sessions", [{}])[0].get("startLocal", "2027")[:4]
        ids["demo_programme"] = self.daemon.demo["programmes"]["past"]

    def consultation_record(self, past, participant):
        """The structured record of a consultation held 39 days ago: written by its clinician only,
        checked field by field, refused before a consultation's time, and read by the coordinator
        as existing only."""
        users, ids = self.daemon.users, self.ids
        day = (datetime.date.today() - datetime.timedelta(days=39)).isoformat()
        held = self.body(self.call(COORDINATOR, "POST", "/api/v1/programmes/{id}/consultations", {"id": past.get("id")},
                                   body={"participantId": participant, "index": 1, "facilitatorId": users[TABACOLOGUE]["id"],
                                         "start": day + "T14:00"}, expect=201))
        ids["past_consultation"] = held.get("id")
        one = {"id": ids["past_consultation"]}
        record = {"products": {"cigarette": 0, "joint": 0}, "eCigarette": True, "eCigaretteNicotineMgPerMl": 6, "yearsSmoked": 20,
                  "packYears": 15.5, "quitAttempts": 2, "longestQuit": 3, "longestQuitUnit": "months", "quitDate": day, "coPpm": 14,
                  "weightKg": 70.5, "pregnancy": "no", "craving": 3, "withdrawalSymptoms": ["irritability"], "goal": "consolidate",
                  "plan": "Vapoteuse 6 mg/mL (FICTIF)"}
        for role in (COORDINATOR, PEER, ADMIN):
            self.call(role, "PUT", "/api/v1/consultations/{id}/record", one, body=record, expect=403)
        written = self.body(self.call(TABACOLOGUE, "PUT", "/api/v1/consultations/{id}/record", one, body=record, expect=200))
        if written.get("safetyPrompts") != ["domestic_co_poisoning"] or (written.get("co") or {}).get("total") != 14:
            self.failures.add("PUT /api/v1/consultations/{id}/record", ["a high CO with no product smoked: the CO assessment and its prompt"])
        replaced = self.body(self.call(TABACOLOGUE, "PUT", "/api/v1/consultations/{id}/record", one, body={**record, "craving": 5}, expect=200))
        if replaced.get("version") != 2 or len(replaced.get("history") or []) != 1:
            self.failures.add("PUT /api/v1/consultations/{id}/record", ["a second write keeps the first in the history"])
        answer = self.call(TABACOLOGUE, "PUT", "/api/v1/consultations/{id}/record", one, body={"weightKg": 500, "craving": 11}, expect=422)
        fields = (self.body(answer).get("error") or {}).get("fields") or {}
        if sorted(fields) != ["craving", "weightKg"]:
            self.failures.add("PUT /api/v1/consultations/{id}/record", [f"the 422 should name craving and weightKg, names {sorted(fields)}"])
        self.call(TABACOLOGUE, "PUT", "/api/v1/consultations/{id}/record", {"id": ids["consultation"]}, body=record, expect=422)
        self.call(TABACOLOGUE, "PUT", "/api/v1/consultations/{id}/record", {"id": "no-such-id"}, body=record, expect=404)
        seen = self.body(self.call(COORDINATOR, "GET", "/api/v1/consultations/{id}/record", one, expect=200))
        if seen.get("hasRecord") is not True or "record" in seen or "plan" in json.dumps(seen):
            self.failures.add("GET /api/v1/consultations/{id}/record as coordinator", ["only that the record exists"])

    # ------------------------------------------------------------------------------------------
    def every_get(self):
        """Every GET operation of the description, by every role, with real ids."""
        ids = self.ids
        values = {
            "/api/v1/instruments/{id}": {"id": "fagerstrom"},
            "/api/v1/instruments/{id}/fhir": {"id": "fagerstrom"},
            "/api/v1/participants/{id}": {"id": ids["participant"]},
            "/api/v1/participants/{id}/assessments": {"id": ids["participant"]},
            "/api/v1/participants/{id}/treatments": {"id": ids["participant"]},
            "/api/v1/participants/{id}/assessments/{assessment}": [{"id": ids["participant"], "assessment": ids["assessment"]},
                                                                   {"id": ids["participant"], "assessment": ids["withdrawn_assessment"]}],
            "/api/v1/participants/{id}/assessments/{assessment}/fhir": [{"id": ids["participant"], "assessment": ids["assessment"]},
                                                                        {"id": ids["participant"], "assessment": ids["withdrawn_assessment"]}],
            "/api/v1/sites/{id}": {"id": ids["site"]},
            "/api/v1/programmes/{id}": {"id": ids["programme"]},
            "/api/v1/programmes/{id}/enrolments": {"id": ids["programme"]},
            "/api/v1/programmes/{id}/consultations": {"id": ids["programme"]},
            "/api/v1/sessions/{id}": {"id": ids.get("changed_session", ids["session"])},
            "/api/v1/consultations/{id}": {"id": ids["consultation"]},
            "/api/v1/consultations/{id}/record": [{"id": ids["consultation"]}, {"id": ids["past_consultation"]}],
            "/api/v1/tasks/{id}": [{"id": ids["task"]}, {"id": ids["questionnaire_task"]}],
            "/api/v1/reports/years/{year}": {"year": ids["year"]},
            "/api/v1/reports/programmes/{id}": {"id": ids["demo_programme"]},
        }
        queries = {
            "/api/v1/users": [None, {"role": "tabacologue"}],
            "/api/v1/programmes": [None, {"year": ids["year"]}],
            "/api/v1/participants": [None, {"q": "Api"}],
            "/api/v1/outbox": [None, {"state": "sent", "limit": "5"}],
            "/api/v1/tasks": [None, {"state": "open"}],
            "/api/v1/reports/years/{year}": [None, {"reduced": "40", "site": ids["site"]}, {"lang": "en"}],
            "/api/v1/reports/period": [{"from": f"{ids['year']}-01-01", "to": f"{ids['year']}-12-31"},
                                       {"from": f"{ids['year']}-03-01", "to": f"{ids['year']}-03-01", "site": ids["site"], "reduced": "40"}],
        }
        languages = {"/api/v1/instruments/{id}", "/api/v1/reports/years/{year}", "/api/v1/reports/period", "/api/v1/templates"}
        for template, operations in self.description.document["paths"].items():
            if "get" not in operations:
                continue
            allowed = GET_ACCESS.get(template, PLANNERS)
            if "{" in template and template not in values:
                self.failures.add(f"GET {template}", ["the test has no real id for this operation: add one to every_get"])
                continue
            params_list = values.get(template, [None])
            for role, params, query in [(r, p, q) for r in ROLES for p in (params_list if isinstance(params_list, list) else [params_list])
                                        for q in queries.get(template, [None])]:
                token_role = None if template in ("/healthz", "/api/v1/openapi.json") else role
                answer = self.call(token_role, "GET", template, params, query=query,
                                   expect=200 if role in allowed else 403)
                if template in languages and role in allowed:
                    english = self.call(role, "GET", template, params, query=query, headers={"Accept-Language": "en-GB,en;q=0.9"},
                                        expect=200)
                    if english.headers.get("Content-Language") != "en":
                        self.failures.add(f"GET {template} in English", [f"Content-Language {english.headers.get('Content-Language')}"])
                if template == "/api/v1/consultations/{id}" and answer.status == 200:
                    has_note = "note" in self.body(answer)
                    if has_note != (role == TABACOLOGUE):
                        self.failures.add(f"GET {template} as {role}", ["the note is given to the clinician only"])
                if template == "/api/v1/consultations/{id}/record" and answer.status == 200:
                    clinical = "record" in self.body(answer)
                    if clinical != (role == TABACOLOGUE):
                        self.failures.add(f"GET {template} as {role}", ["the record's content is given to the clinician only"])
                if template == "/api/v1/participants/{id}" and answer.status == 200:
                    details = [o.get("detail") for o in self.body(answer).get("orientations", [])]
                    if not details or any((d is None) != (role == COORDINATOR) for d in details):
                        self.failures.add(f"GET {template} as {role}", [f"orientation details {details}: null for a coordinator only"])

    # ------------------------------------------------------------------------------------------
    def refusals(self):
        """Refusals: each answer must be the described Error."""
        ids = self.ids
        self.call(None, "GET", "/api/v1/me", expect=401)
        self.call(None, "GET", "/api/v1/participants", token="rls_not-a-real-token", expect=401)
        self.call(ADMIN, "GET", "/api/v1/participants", expect=403)
        self.call(PEER, "GET", "/api/v1/instruments", expect=403)
        self.call(PEER, "GET", "/api/v1/programmes/{id}", {"id": ids["visio_programme"]}, expect=403)
        self.call(PEER, "GET", "/api/v1/sessions/{id}", {"id": ids["visio_session"]}, expect=403)
        self.call(PEER, "PUT", "/api/v1/sessions/{id}/attendance", {"id": ids["visio_session"]}, body={"note": "x"}, expect=403)
        self.call(ADMIN, "GET", "/api/v1/programmes", expect=403)
        self.call(PEER, "POST", "/api/v1/me/feed", expect=201)
        self.call(COORDINATOR, "POST", "/api/v1/me/feed", expect=403)
        self.call(COORDINATOR, "PATCH", "/api/v1/consultations/{id}", {"id": ids["consultation"]}, body={"note": "x"}, expect=403)
        for template, name in [("/api/v1/sites/{id}", "id"), ("/api/v1/programmes/{id}", "id"), ("/api/v1/sessions/{id}", "id"),
                               ("/api/v1/participants/{id}", "id"), ("/api/v1/tasks/{id}", "id"), ("/api/v1/consultations/{id}", "id"),
                               ("/api/v1/instruments/{id}", "id"), ("/api/v1/reports/years/{year}", "year"),
                               ("/api/v1/reports/programmes/{id}", "id")]:
            self.call(COORDINATOR, "GET", template, {name: "no-such-id" if name == "id" else "1999"}, expect=404)
        self.call(COORDINATOR, "POST", "/api/v1/sites", body={"nme": "Typo"}, expect=422)
        self.call(COORDINATOR, "POST", "/api/v1/sites", body={"name": "Site API (FICTIF)"}, expect=409)
        self.call(COORDINATOR, "POST", "/api/v1/sites", raw_body=b"{not json", expect=400)
        self.call(COORDINATOR, "POST", "/api/v1/sites", raw_body=b"[]", expect=400)
        self.call(COORDINATOR, "POST", "/api/v1/sites", raw_body=b"name=x", headers={"Content-Type": "text/plain"}, expect=400)
        self.call(COORDINATOR, "POST", "/api/v1/participants", body={}, expect=422)
        self.call(COORDINATOR, "POST", "/api/v1/participants", body={"firstName": "A", "lastName": "B", "noContact": "yes"}, expect=422)
        self.call(COORDINATOR, "POST", "/api/v1/participants", body={"firstName": "A\u0007", "lastName": "B", "noContact": True}, expect=422)
        self.call(COORDINATOR, "GET", "/api/v1/outbox", query={"state": "lost"}, expect=422)
        self.call(COORDINATOR, "GET", "/api/v1/participants", query={"q": "a\nb"}, expect=422)
        self.call(COORDINATOR, "PUT", "/api/v1/sessions/{id}/attendance", {"id": ids["session"]},
                  body={"records": [{"participantId": ids["participant"], "status": "late"}]}, expect=422)
        self.call(COORDINATOR, "POST", "/api/v1/programmes/{id}/enrolments", {"id": ids["programme"]},
                  body={"participantId": ids["participant"]}, expect=409)
        self.call(COORDINATOR, "POST", "/api/v1/enrolments/{id}/withdraw", {"id": ids["enrolment"]}, body={}, expect=422)
        self.call(COORDINATOR, "PUT", "/api/v1/enrolments/{id}/baseline", {"id": ids["enrolment"]}, body={"cigarettesPerDay": 500}, expect=422)
        self.call(COORDINATOR, "PUT", "/api/v1/enrolments/{id}/baseline", {"id": ids["enrolment"]}, body={"products": {"snuff": 2}}, expect=422)
        self.call(PEER, "PUT", "/api/v1/enrolments/{id}/baseline", {"id": ids["enrolment"]}, body={}, expect=403)
        self.call(COORDINATOR, "PUT", "/api/v1/enrolments/{id}/baseline", {"id": "no-such-id"}, body={}, expect=404)
        self.call(COORDINATOR, "POST", "/api/v1/participants/{id}/assessments", {"id": ids["participant"]},
                  body={"instrument": "co", "answers": {"ppm": 3}, "programmeId": ids["visio_programme"]}, expect=422)
        self.call(COORDINATOR, "PATCH", "/api/v1/participants/{id}", {"id": ids["participant"]}, body={"postalCode": "5900"}, expect=422)
        self.call(COORDINATOR, "POST", "/api/v1/outbox/{id}/retry", {"id": ids["message"]}, expect=409)
        self.call(COORDINATOR, "GET", "/api/v1/reports/years/{year}", {"year": ids["year"]}, query={"reduced": "0"}, expect=422)
        self.call(COORDINATOR, "GET", "/api/v1/reports/years/{year}", {"year": ids["year"]}, query={"lang": "de"}, expect=422)
        # A reporting period: each bad date is a 422 naming its field; `to` before `from` is one on `to`.
        for query, field in [({"from": "2026-02-30", "to": "2026-03-01"}, "from"), ({"from": "2026-01-01"}, "to"),
                             ({"from": "1999-12-31", "to": "2026-01-01"}, "from"), ({"from": "2026-01-01", "to": "2101-01-01"}, "to"),
                             ({"from": "2026-06-01", "to": "2026-05-31"}, "to")]:
            answer = self.call(COORDINATOR, "GET", "/api/v1/reports/period", query=query, expect=422)
            fields = (self.body(answer).get("error") or {}).get("fields") or {}
            if field not in fields:
                self.failures.add(f"GET /api/v1/reports/period?{query}", [f"the 422 should name {field}, names {sorted(fields)}"])
        # The server answers 405 itself, with the Error shape and the methods allowed.
        answer = http(self.daemon.base, "DELETE", "/api/v1/me", token=self.daemon.tokens[COORDINATOR])
        problems = [] if answer.status == 405 else [f"expected 405, got {answer.status}"]
        problems += self.description.errors("/components/schemas/Error", answer.json()) if answer.raw else ["no body"]
        if answer.headers.get("Allow") != "GET, PATCH":
            problems.append(f"Allow: {answer.headers.get('Allow')}")
        if not answer.headers.get("X-Request-Id"):
            problems.append("no X-Request-Id")
        self.failures.add("DELETE /api/v1/me", problems)

    def unknown_references(self):
        """Bodies naming ids that do not exist (an account, a participant, a site, a room, a
        programme, a consultation): each must be refused as described (422 naming the field, or
        404 for the path's own id), never a 500."""
        ids, users, unknown = self.ids, self.daemon.users, "no-such-id"
        cases = [
            (COORDINATOR, "POST", "/api/v1/tasks", None, {"participantId": ids["participant"], "reason": "r", "assignedTo": unknown}, 422),
            (COORDINATOR, "POST", "/api/v1/tasks", None, {"participantId": unknown, "reason": "r"}, 422),
            (COORDINATOR, "POST", "/api/v1/programmes/{id}/enrolments", {"id": ids["programme"]}, {"participantId": unknown}, 422),
            (COORDINATOR, "POST", "/api/v1/programmes", None, {"title": "t", "start": "2029-01-08T10:00", "leadId": unknown,
                                                             "modality": "visio", "visioUrl": "https://visio.exemple.invalid/x"}, 422),
            (COORDINATOR, "POST", "/api/v1/programmes", None, {"title": "t", "start": "2029-01-08T10:00", "leadId": users[TABACOLOGUE]["id"],
                                                             "siteId": unknown}, 422),
            (COORDINATOR, "POST", "/api/v1/programmes", None, {"title": "t", "start": "2029-01-08T10:00", "leadId": users[TABACOLOGUE]["id"],
                                                             "siteId": ids["site"], "roomId": unknown}, 422),
            (COORDINATOR, "POST", "/api/v1/programmes", None, {"title": "t", "start": "2029-01-08T10:00", "leadId": users[TABACOLOGUE]["id"],
                                                             "siteId": ids["site"], "peerHelperId": unknown}, 422),
            (COORDINATOR, "POST", "/api/v1/programmes/{id}/consultations", {"id": ids["programme"]},
             {"participantId": ids["participant"], "index": 2, "facilitatorId": unknown, "start": "2027-06-09T14:00"}, 422),
            (COORDINATOR, "PATCH", "/api/v1/sessions/{id}", {"id": ids["session"]}, {"start": "2027-06-07T10:00", "roomId": unknown}, 422),
            (COORDINATOR, "PATCH", "/api/v1/tasks/{id}", {"id": ids["task"]}, {"assignedTo": unknown}, 422),
            (TABACOLOGUE, "POST", "/api/v1/participants/{id}/orientations", {"id": ids["participant"]},
             {"kinds": ["csapa"], "programmeId": unknown}, 422),
            (TABACOLOGUE, "POST", "/api/v1/participants/{id}/orientations", {"id": ids["participant"]},
             {"kinds": ["csapa"], "consultationId": unknown}, 422),
            (TABACOLOGUE, "POST", "/api/v1/participants/{id}/orientations", {"id": unknown}, {"kinds": ["csapa"]}, 404),
            (COORDINATOR, "POST", "/api/v1/participants/{id}/assessments", {"id": unknown}, {"instrument": "co", "answers": {"ppm": 3}}, 404),
            (COORDINATOR, "PATCH", "/api/v1/participants/{id}/assessments/{assessment}", {"id": ids["participant"], "assessment": unknown},
             {"date": "2026-01-16", "reason": "r"}, 404),
            (COORDINATOR, "DELETE", "/api/v1/participants/{id}/assessments/{assessment}", {"id": unknown, "assessment": ids["assessment"]},
             {"reason": "r"}, 404),
            (COORDINATOR, "POST", "/api/v1/instruments/{id}/score", {"id": unknown}, {}, 404),
            (COORDINATOR, "GET", "/api/v1/reports/years/{year}", {"year": ids["year"]}, None, 404),
            (COORDINATOR, "GET", "/api/v1/reports/period", None, None, 404),
        ]
        for role, method, template, params, body, expect in cases:
            query = {"site": unknown} if template == "/api/v1/reports/years/{year}" else None
            if template == "/api/v1/reports/period":
                query = {"site": unknown, "from": f"{ids['year']}-01-01", "to": f"{ids['year']}-12-31"}
            self.call(role, method, template, params, body=body, query=query, expect=expect)

    def grapheme_path(self):
        """An id that begins with a combining character reaches the operation: its 404 names a
        reason (the router splits paths on the scalar "/", not on Characters). An empty segment
        ("%2F" decoded, or "//") never reaches the route of the shorter path."""
        for path, template in [("/api/v1/sites/%CC%81", "/api/v1/sites/{id}"), ("/api/v1/sites/%F0%9F%8F%BB", "/api/v1/sites/{id}")]:
            answer = http(self.daemon.base, "GET", path, token=self.daemon.tokens[COORDINATOR])
            self.failures.add(f"GET {path}", self.description.check("GET", template, answer))
        for path in ["/api/v1/sites/%2F", "/api/v1/sites//"]:
            answer = http(self.daemon.base, "GET", path, token=self.daemon.tokens[COORDINATOR])
            self.failures.add(f"GET {path}", [] if answer.status == 404 else [f"expected 404, got {answer.status}"])

    def too_large(self):
        """413 for a body above http.max_body_bytes, with its X-Request-Id like every answer."""
        # The server answers as soon as it reads Content-Length, and closes: the body is not sent.
        host, port = self.daemon.base.split("//")[1].split(":")
        connection = http_client.HTTPConnection(host, int(port), timeout=30)
        connection.putrequest("POST", "/api/v1/sites")
        for name, value in [("Authorization", f"Bearer {self.daemon.tokens[COORDINATOR]}"), ("Content-Type", "application/json"),
                            ("Content-Length", str(1024 * 1024 + 10))]:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        answer = Answer(response.status, response.headers, response.read())
        connection.close()
        problems = self.description.check("POST", "/api/v1/sites", answer)
        if answer.status != 413:
            problems.append(f"expected 413, got {answer.status}")
        self.failures.add("POST /api/v1/sites with a body over 1 MiB", problems)


# ----------------------------------------------------------------------------------------------
# schemathesis

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"


def real_ids(daemon, plain_ids):
    """Ids of the data, for schemathesis to try beside the values it generates."""
    token = daemon.tokens[COORDINATOR]

    def get(path, key):
        answer = http(daemon.base, "GET", path, token=token)
        return answer.json().get(key, []) if answer.status == 200 else []

    programmes = get("/api/v1/programmes", "programmes")
    ids = {
        "programme": [p["id"] for p in programmes],
        "session": [s["id"] for p in programmes for s in p["sessions"]],
        "participant": [p["id"] for p in get("/api/v1/participants", "participants")],
        "site": [s["id"] for s in get("/api/v1/sites", "sites")],
        "task": [t["id"] for t in get("/api/v1/tasks", "tasks")],
        "message": [m["id"] for m in get("/api/v1/outbox?limit=50", "messages")],
        "instrument": [i["id"] for i in get("/api/v1/instruments", "instruments")],
        "consultation": [c["id"] for p in programmes for c in get(f"/api/v1/programmes/{p['id']}/consultations", "consultations")],
        "enrolment": [e["id"] for p in programmes for e in get(f"/api/v1/programmes/{p['id']}/enrolments", "enrolments")],
        "assessment": [a["id"] for p in get("/api/v1/participants", "participants")[:8]
                       for a in get(f"/api/v1/participants/{p['id']}/assessments", "assessments")],
        "year": sorted({int(s["startLocal"][:4]) for p in programmes for s in p["sessions"]}),
    }
    if plain_ids.get("assessment"):
        ids["assessment"].append(plain_ids["assessment"])
    if plain_ids.get("treatment"):
        ids["treatment"] = [plain_ids["treatment"]]
    return {name: values for name, values in ids.items() if values}


def schemathesis_config(path, ids):
    """A schemathesis.toml offering the real ids (half of the time) to the path parameters."""
    bindings = [
        (r"^/api/v1/instruments/\{id\}", {"path.id": "instrument"}),
        (r"^/api/v1/participants/\{id\}/assessments/\{assessment\}", {"path.id": "participant", "path.assessment": "assessment"}),
        (r"^/api/v1/participants/\{id\}/treatments/\{treatment\}", {"path.id": "participant", "path.treatment": "treatment"}),
        (r"^/api/v1/participants/\{id\}(/assessments|/orientations|/treatments)?$", {"path.id": "participant"}),
        (r"^/api/v1/sites/\{id\}", {"path.id": "site"}),
        (r"^/api/v1/(programmes|reports/programmes)/\{id\}", {"path.id": "programme"}),
        (r"^/api/v1/sessions/\{id\}", {"path.id": "session"}),
        (r"^/api/v1/enrolments/\{id\}", {"path.id": "enrolment"}),
        (r"^/api/v1/consultations/\{id\}", {"path.id": "consultation"}),
        (r"^/api/v1/outbox/\{id\}", {"path.id": "message"}),
        (r"^/api/v1/tasks/\{id\}", {"path.id": "task"}),
        (r"^/api/v1/reports/years/\{year\}", {"path.year": "year"}),
    ]
    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", "values = [" + ", ".join(json.dumps(v) for v in values) + "]", ""]
    for regex, parameters in bindings:
        if not all(d in ids for d in parameters.values()):
            continue
        inline = ", ".join(f'"{key}" = {{ dictionary = "{d}", probability = 0.5 }}' for key, d in parameters.items())
        lines += ["[[operations]]", f"include-path-regex = {json.dumps(regex)}", f"parameters = {{ {inline} }}", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def start_schemathesis(daemon, role, config, folder, examples, seed):
    """Starts one schemathesis run with ROLE's token (one worker: Python 3.11's ast module is not
    safe to use from hypothesis' threads)."""
    junit = os.path.join(folder, f"junit-{role}.xml")
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", config, "run", f"{daemon.base}/api/v1/openapi.json",
               "--url", daemon.base, "-H", f"Authorization: Bearer {daemon.tokens[role]}", "--checks", CHECKS,
               "--max-examples", str(examples), "--seed", str(seed), "--generation-database", "none", "--no-color",
               "--report", "junit", "--report-junit-path", junit, "--request-timeout", "30", "--workers", "1"]
    output = open(os.path.join(folder, f"schemathesis-{role}.txt"), "w+")
    environment = {**os.environ, "API_TEST_EXPECTED_LOG": os.path.join(folder, "expected-failures.jsonl")}
    process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT, text=True, env=environment)
    return {"role": role, "process": process, "output": output, "junit": junit, "started": time.time()}


def finish_schemathesis(run):
    """Waits for a run; returns (passed, summary line, failure details)."""
    role, junit = run["role"], run["junit"]
    try:
        returncode = run["process"].wait(timeout=900)
    except subprocess.TimeoutExpired:
        run["process"].kill()
        returncode = run["process"].wait()
    elapsed = time.time() - run["started"]
    run["output"].seek(0)
    output = run["output"].read()
    run["output"].close()
    cases = re.search(r"(\d+) generated, (.*)", output)
    summary = f"{role}: {cases.group(0) if cases else 'no summary'} ({elapsed:.0f} s)"
    details = []
    if returncode != 0:
        try:
            for case in ElementTree.parse(junit).getroot().iter("testcase"):
                for failure in list(case.findall("failure")) + list(case.findall("error")):
                    details.append(f"{case.get('name')}: {(failure.get('message') or '') + (failure.text or '')}".strip()[:3000])
        except (OSError, ElementTree.ParseError):
            pass
        if not details:
            details.append(output[-6000:])
    return returncode == 0, summary, details


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("API_TEST_EXAMPLES", "10")),
                        help="schemathesis examples per operation (default 10)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("API_TEST_SEED", "20261201")))
    parser.add_argument("--skip-schemathesis", action="store_true")
    parser.add_argument("--parallel", type=int, default=2, help="schemathesis runs side by side (default 2)")
    parser.add_argument("--roles", default=",".join(ROLES), help="roles schemathesis runs as (default: all four)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder, the daemon's log and schemathesis' reports")
    arguments = parser.parse_args()
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        raise SystemExit("schemathesis is missing: python3 -m pip install schemathesis (or `make test-deps`)")

    started = time.time()
    with open(SOURCE_DESCRIPTION) as f:
        description = Description(json.load(f))
    daemon = Daemon(keep=arguments.keep)
    failures = Failures()
    summaries, schemathesis_failed = [], []
    runs = []
    try:
        daemon.prepare()
        daemon.start()
        plain = PlainTest(daemon, description, failures)
        plain.served_description()
        plain.make_data()
        plain.every_get()
        plain.refusals()
        plain.unknown_references()
        plain.too_large()
        plain.grapheme_path()
        summaries.append(f"plain test: {failures.checked} answers checked, {len(failures.items)} problem(s) ({time.time() - started:.0f} s)")

        if not arguments.skip_schemathesis:
            config = os.path.join(daemon.folder, "schemathesis.toml")
            schemathesis_config(config, real_ids(daemon, plain.ids))
            roles = arguments.roles.split(",")
            for pair in [roles[i:i + arguments.parallel] for i in range(0, len(roles), arguments.parallel)]:
                runs = [start_schemathesis(daemon, role, config, daemon.folder, arguments.examples, arguments.seed) for role in pair]
                for run in list(runs):
                    passed, summary, details = finish_schemathesis(run)
                    summaries.append("schemathesis " + summary)
                    if not passed:
                        schemathesis_failed.append((run["role"], details))
        # A 500 that the checks above did not see still shows in the daemon's log.
        crashes = [line for line in daemon.log_text().splitlines() if "handler failed" in line]
        if crashes:
            failures.add("daemon log", [f"{len(crashes)} handler failure(s), first: {crashes[0][:500]}"])
    except SystemExit:
        raise
    except Exception:
        failures.add("test", [traceback.format_exc()])
    finally:
        for run in runs:
            if run["process"].poll() is None:
                run["process"].kill()
                run["process"].wait()
        daemon.stop()

    print("\n".join(summaries))
    for item in failures.items:
        print(f"FAIL {item}")
    for role, details in schemathesis_failed:
        for detail in details:
            print(f"FAIL schemathesis as {role}: {detail}")
    if arguments.keep:
        print(f"data folder kept: {daemon.folder}")
    ok = not failures.items and not schemathesis_failed
    print(f"{'OK' if ok else 'FAILED'} in {time.time() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
