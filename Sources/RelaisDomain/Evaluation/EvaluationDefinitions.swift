/// The definitions written in the report itself, so that a reader (the funder) can check every
/// figure: what is counted, the thresholds in force, what intention-to-treat means.
public struct EvaluationDefinition: Sendable, Equatable, Encodable {
    public var id: String
    public var term: String
    public var text: String
}

public enum EvaluationDefinitions {
    /// The definitions in `language` (`fr`, else English), with the thresholds of `settings`.
    public static func all(_ settings: EvaluationSettings, language: String) -> [EvaluationDefinition] {
        let fr = language != "en"
        func number(_ value: Double) -> String {
            let text = Int(exactly: value).map(String.init) ?? String(value)
            return fr ? text.replacingOccurrences(of: ".", with: ",") : text
        }
        let theta = number(settings.reducedThresholdPercent)
        let keep = number(100 - settings.reducedThresholdPercent)
        let co = number(settings.coThresholdPPM)
        let coDays = String(settings.coWindowDays)
        let slack = String(settings.entrySlackDays)
        let endDays = String(settings.endWindowDays)
        let small = String(settings.smallCount)
        let smallMinusOne = String(settings.smallCount - 1)
        let midpoints = fr ? "≤ 10 → 5,5 ; 11 à 20 → 15,5 ; 21 à 30 → 25,5 ; ≥ 31 → 35,5 (31 à 40 supposé)"
                           : "≤ 10 → 5.5; 11 to 20 → 15.5; 21 to 30 → 25.5; ≥ 31 → 35.5 (31 to 40 assumed)"
        func d(_ id: String, _ frTerm: String, _ frText: String, _ enTerm: String, _ enText: String) -> EvaluationDefinition {
            EvaluationDefinition(id: id, term: fr ? frTerm : enTerm, text: fr ? frText : enText)
        }
        return [
            d("scope", "Périmètre et date du rapport",
              "Un programme appartient à l'année de sa première séance collective (date locale, dans le fuseau horaire du programme). Le rapport d'un site ne retient que les programmes rattachés à ce site : un programme uniquement en visio, sans site, ne figure que dans le rapport de tous les sites. Ce qui est « terminé » ou « dû » s'apprécie à la date du rapport.",
              "Scope and report date",
              "A programme belongs to the year of its first group session (local date, in the programme's time zone). A site's report keeps only the programmes of that site: a programme held by visio only, with no site, appears only in the report of all sites. What is \"finished\" or \"due\" is judged at the report's date."),
            d("programmes", "Programmes prévus et réalisés",
              "Prévu : programme non annulé dont la première séance tombe dans l'année. Réalisé : programme prévu dont au moins une séance non annulée a des présences enregistrées. Terminé : programme prévu dont la dernière séance non annulée est passée à la date du rapport. Les programmes annulés sont comptés à part et n'entrent dans aucun autre chiffre.",
              "Programmes planned and held",
              "Planned: a programme not cancelled whose first session falls in the year. Held: a planned programme with attendance recorded for at least one session that was not cancelled. Finished: a planned programme whose last session not cancelled is past at the report's date. Cancelled programmes are counted apart and enter no other figure."),
            d("participants", "Participants inscrits",
              "Une inscription est comptée si elle est au statut « inscrit », ou « retiré » après avoir été présent à au moins une séance. La liste d'attente et les retraits avant toute présence ne sont pas comptés (ils sont indiqués à part). Une personne inscrite à deux programmes du périmètre compte une fois par programme. A commencé le programme : présent à au moins une séance collective. Public prioritaire : au moins un des indicateurs précarité, isolement, parcours de soins difficile, tels qu'ils figurent dans la fiche à la date du rapport.",
              "Participants enrolled",
              "An enrolment is counted when its status is \"enrolled\", or \"withdrawn\" after attending at least one session. The waiting list and withdrawals before any attendance are not counted (they are shown apart). A person enrolled in two programmes of the scope counts once per programme. Started the programme: present at one group session at least. Priority public: at least one of the flags precarity, isolation, difficult care path, as recorded at the report's date."),
            d("attendance", "Assiduité",
              "Séance n : participants comptés présents / participants comptés des programmes où la séance n a eu lieu (présences enregistrées) ; « non renseigné » quand aucune présence n'est notée pour la personne. Séances collectives complètes : présent à toutes les séances non annulées de son programme (3/3 pour le modèle 3g2i). Consultations complètes : au moins autant de consultations individuelles au statut « réalisée » que le modèle du programme en prévoit (2/2 pour 3g2i). Dénominateur de ces deux parts : participants comptés des programmes terminés.",
              "Attendance",
              "Session n: counted participants present / counted participants of the programmes where session n took place (attendance recorded); \"not recorded\" when nothing is noted for the person. All group sessions: present at every session of the programme that was not cancelled (3/3 for the 3g2i template). All consultations: at least as many individual consultations with the status \"done\" as the programme's template plans (2/2 for 3g2i). Denominator of both shares: counted participants of finished programmes."),
            d("attribution", "Rattachement des tests à un programme",
              "Un test ou questionnaire est rattaché au programme du participant commencé au plus \(slack) jours après la date du test (le plus récent s'il y en a plusieurs) ; un questionnaire de suivi à 3 mois, au programme le plus récent dont la dernière séance précède sa date. À défaut, au premier programme du participant.",
              "Attributing tests to a programme",
              "A test or questionnaire belongs to the participant's programme that began at most \(slack) days after the test's date (the latest one if several); a 3-month follow-up questionnaire, to the latest programme whose last session precedes its date. Otherwise, to the participant's first programme."),
            d("entry", "Scores à l'entrée",
              "Premier test rattaché au programme qui a un score, par date de passation : Fagerström (0–10), HSI (0–6 : score dérivé du Fagerström, ou test HSI seul s'il vient en premier), Q-MAT (0–20), CO expiré (ppm). Un test partiel n'a pas de score et n'est pas retenu. Les classes sont recalculées à partir du score avec le barème configuré, pour que toutes les années se lisent de la même façon. Moyenne et répartition parmi les participants qui ont ce test.",
              "Scores at entry",
              "The first test attributed to the programme that has a score, by date taken: Fagerström (0–10), HSI (0–6: derived from the Fagerström, or the HSI test alone when it comes first), Q-MAT (0–20), exhaled CO (ppm). A partial test has no score and is not used. Bands are recomputed from the score with the configured scheme, so that every year reads alike. Mean and distribution among the participants who have that test."),
            d("cigarettes", "Cigarettes par jour à l'entrée",
              "Réponse à la question 4 du premier Fagerström (ou HSI) : le nombre de cigarettes donné quand il l'est, sinon le milieu de la classe cochée : \(midpoints). Une estimation par le milieu de classe rend la comparaison approximative ; l'export par participant indique quand c'est le cas.",
              "Cigarettes per day at entry",
              "The answer to question 4 of the first Fagerström (or HSI): the number of cigarettes when it was given, else the middle of the band ticked: \(midpoints). A band midpoint makes the comparison approximate; the per-participant export says when it was used."),
            d("qmat_change", "Q-MAT à l'entrée et en fin de programme",
              "Participants qui ont un Q-MAT d'entrée et un Q-MAT ultérieur (le dernier passé un jour postérieur) rattachés au même programme : moyennes appariées, écart moyen, nombre en hausse, stables et en baisse.",
              "Q-MAT at entry and at the end",
              "Participants with an entry Q-MAT and a later one (the last one taken on a later day) attributed to the same programme: paired means, mean change, numbers higher, unchanged and lower."),
            d("outcomes", "Arrêt, réduction, inchangé, augmentation, inconnu",
              "Arrêt : 0 cigarette par jour, ou « j'ai arrêté » sans nombre. Réduction : au moins \(theta) % de cigarettes par jour en moins qu'à l'entrée (nombre actuel ≤ \(keep) % du nombre d'entrée). Augmentation : plus de cigarettes par jour qu'à l'entrée. Inchangé : entre les deux. Quand le nombre actuel et celui de l'entrée sont connus, c'est la comparaison qui décide, quel que soit le statut coché ; sinon le statut déclaré est retenu tel quel (une réduction déclarée sans nombre n'est pas vérifiable). Inconnu : pas de réponse, ou un arrêt déclaré avec un nombre positif et sans nombre d'entrée pour comparer.",
              "Stopped, reduced, unchanged, increased, unknown",
              "Stopped: 0 cigarettes a day, or \"I have stopped\" without a number. Reduced: at least \(theta) % fewer cigarettes a day than at entry (current number ≤ \(keep) % of the entry number). Increased: more cigarettes a day than at entry. Unchanged: in between. When both the current and the entry numbers are known, the comparison decides, whatever status was ticked; otherwise the declared status is taken as is (a declared reduction without a number cannot be checked). Unknown: no answer, or a declared stop with a positive number and no entry number to compare."),
            d("end_status", "Statut en fin de programme",
              "Le dernier statut connu entre la dernière séance collective et \(endDays) jours après : une question « status » d'un questionnaire (hors suivi à 3 mois), ou un nombre de cigarettes par jour (question cigarettes_per_day, ou question 4 d'un Fagerström ou HSI repassé). Les questionnaires de fin livrés (satisfaction, impact) ne demandent pas le statut tabagique : sans test repassé en fin de programme, ce statut reste inconnu. Éligibles : participants qui ont commencé un programme terminé. Questionnaires de fin répondus : invitation de fin marquée répondue.",
              "Status at the end of the programme",
              "The last status known from the last group session to \(endDays) days after it: a \"status\" question of a questionnaire (other than the 3-month follow-up), or a number of cigarettes a day (item cigarettes_per_day, or question 4 of a Fagerström or HSI taken again). The shipped end questionnaires (satisfaction, impact) do not ask the smoking status: without a test taken again at the end, that status stays unknown. Eligible: participants who started a finished programme. End questionnaires answered: end-of-programme invitation marked answered."),
            d("follow_up", "Statut à 3 mois",
              "La dernière réponse au questionnaire de suivi du programme (followup_3m : statut et cigarettes par jour) rattachée au programme. Éligibles : participants qui ont commencé le programme et dont le suivi est dû à la date du rapport (échéance de l'invitation, sinon 3 mois calendaires après leur dernière séance suivie), ou qui ont déjà répondu. Les suivis pas encore dus sont indiqués à part et n'entrent dans aucun taux. Perdus de vue : appel de suivi clos « injoignable ».",
              "Status at 3 months",
              "The last answer to the programme's follow-up questionnaire (followup_3m: status and cigarettes a day) attributed to the programme. Eligible: participants who started the programme and whose follow-up is due at the report's date (the invitation's due date, else 3 calendar months after their last session attended), or who already answered. Follow-ups not due yet are shown apart and enter no rate. Lost to follow-up: follow-up call closed as unreachable."),
            d("rates", "Taux de réponse, taux parmi les répondants, taux en intention de traiter",
              "Répondants : éligibles dont le statut est connu. Taux de réponse = répondants / éligibles. Taux parmi les répondants = effectif du statut / répondants. Intention de traiter (ITT, Russell Standard : West R et al., Addiction 2005;100(3):299-303) = effectif du statut / éligibles : les non-répondants sont comptés comme fumeurs (ni arrêt, ni réduction). Le taux ITT est donc toujours inférieur ou égal au taux parmi les répondants ; les deux sont égaux quand tout le monde a répondu.",
              "Response rate, rate among respondents, intention-to-treat rate",
              "Respondents: eligible participants whose status is known. Response rate = respondents / eligible. Rate among respondents = count with the status / respondents. Intention to treat (ITT, Russell Standard: West R et al., Addiction 2005;100(3):299-303) = count with the status / eligible: non-respondents are counted as smokers (neither stopped nor reduced). The ITT rate is therefore never above the rate among respondents; both are equal when everyone answered."),
            d("co", "Arrêt validé par le CO expiré",
              "Un arrêt est validé quand une mesure de CO expiré strictement inférieure à \(co) ppm (paramètre abstinence_threshold_ppm de l'instrument co) est enregistrée au plus \(coDays) jours avant ou après la date du statut, et pas avant la dernière séance collective (les mesures d'entrée ne valident jamais). Taux parmi les répondants et en intention de traiter, comme ci-dessus.",
              "Quit validated by exhaled CO",
              "A quit is validated when an exhaled CO reading strictly below \(co) ppm (parameter abstinence_threshold_ppm of the co instrument) is recorded at most \(coDays) days before or after the date of the status, and not before the last group session (entry readings never validate). Rates among respondents and by intention to treat, as above."),
            d("satisfaction", "Satisfaction",
              "Le dernier questionnaire satisfaction_end rattaché au programme. Pour chaque question : répartition des réponses, moyenne sur une échelle de 1 à 4 (4 = très satisfait, 3 = satisfait, 2 = peu satisfait, 1 = pas satisfait) et part de satisfaits (très satisfaits et satisfaits).",
              "Satisfaction",
              "The last satisfaction_end questionnaire attributed to the programme. For each question: distribution of the answers, mean on a 1 to 4 scale (4 = very satisfied, 3 = satisfied, 2 = not very satisfied, 1 = not satisfied) and share satisfied (very satisfied and satisfied)."),
            d("impact", "Impact",
              "Le dernier questionnaire impact_end rattaché au programme : moyenne de chaque échelle de 0 à 10 (connaissance de sa dépendance, capacité à réduire, capacité à arrêter, motivation) parmi les répondants.",
              "Impact",
              "The last impact_end questionnaire attributed to the programme: mean of each 0 to 10 scale (knowledge of one's dependence, ability to reduce, ability to stop, motivation) among respondents."),
            d("orientations", "Orientations proposées et suivies",
              "Orientations enregistrées pour le programme (celles enregistrées sans programme sont rattachées par leur date). Suivie : la réponse notée sur l'orientation (oui, en partie, non), sinon la réponse à la question « orientation suivie » du suivi à 3 mois ; inconnue sinon. Compté par participant orienté.",
              "Orientations made and followed",
              "Orientations recorded for the programme (those recorded without a programme are attributed by their date). Followed: the answer noted on the orientation (yes, partly, no), else the answer to the \"referral followed\" question of the 3-month follow-up; unknown otherwise. Counted per participant oriented."),
            d("peer_helpers", "Séances coanimées par un pair aidant",
              "Séances réalisées (non annulées, présences enregistrées) des programmes dont un pair aidant coanime les séances, parmi toutes les séances réalisées.",
              "Sessions co-led by a peer helper",
              "Sessions held (not cancelled, attendance recorded) of programmes whose sessions a peer helper co-leads, among all sessions held."),
            d("messages", "Rappels et appels",
              "Messages aux participants de la file d'envoi rattachés aux programmes du périmètre (confirmations, rappels de séance, avis de changement, questionnaires et leurs relances), par état : envoyés, en échec (abandon après les tentatives ou refus définitif), en attente, annulés (leur raison a disparu), sans objet (condition non remplie à l'envoi, ou remplacés par un appel). Appels : tâches téléphoniques rattachées à ces programmes, faites, closes « injoignable » ou encore ouvertes.",
              "Reminders and calls",
              "Outbox messages to participants of the scope's programmes (confirmations, session reminders, change notices, questionnaires and their reminders), by state: sent, failed (given up after the attempts, or refused for good), pending, cancelled (their reason went away), skipped (condition no longer true at send time, or replaced by a call). Calls: phone tasks of these programmes, done, closed as unreachable, or still open."),
            d("erased", "Participants effacés",
              "Les lignes anonymes conservées lors d'un effacement (droit à l'effacement) sont comptées dans les inscrits et les indicateurs de public, les séances et consultations complètes, les questionnaires répondus et les statuts déclarés en fin de programme et à 3 mois (statut coché, sans nombre de cigarettes). Elles n'entrent pas dans l'assiduité par séance, les scores, la validation par le CO, la satisfaction, l'impact ni les orientations, qui ne sont pas conservés, ni dans l'export par participant.",
              "Erased participants",
              "The anonymous rows kept by an erasure (right to erasure) are counted among participants and priority flags, complete sessions and consultations, questionnaires answered, and the statuses declared at the end and at 3 months (the status ticked, without a number of cigarettes). They enter neither attendance per session, scores, CO validation, satisfaction, impact nor orientations, which are not kept, nor the per-participant export."),
            d("masking", "Petits effectifs",
              "Dans le fichier agrégé destiné à sortir de la structure, les effectifs de personnes de 1 à \(smallMinusOne) sont remplacés par « < \(small) », ainsi que les pourcentages et moyennes calculés sur eux ou sur moins de \(small) personnes. Le zéro reste affiché, comme les chiffres d'activité (programmes, séances, messages, appels), qui ne désignent personne. L'export par participant est pseudonymisé : un identifiant tiré d'un sel aléatoire propre à chaque export, sans nom, adresse électronique, téléphone, adresse postale ni date de naissance.",
              "Small counts",
              "In the aggregate file meant to leave the structure, counts of people from 1 to \(smallMinusOne) are replaced by \"< \(small)\", and so are percentages and means computed from them or over fewer than \(small) people. Zero is shown, and so are activity figures (programmes, sessions, messages, calls), which designate no one. The per-participant export is pseudonymised: an identifier derived with a random salt of each export, no name, email, phone, postal address or birth date."),
        ]
    }
}
