## doctor: the pre-flight of an environment

doctor-environment = environnement « { $name } »
doctor-mark-failed = {"["}ÉCHEC]
doctor-fix = → correctif :
doctor-summary-ready = Bilan : { $ok } vérification(s) réussie(s), { $skipped } non applicable(s). Prêt pour `rorcheck run`.
doctor-summary-failures = Bilan : { $failed } échec(s), { $ok } réussie(s), { $skipped } non vérifiée(s). Corrigez les échecs avant de lancer les scénarios.
doctor-access-profile = , profil d'accès { $profile }
doctor-connection-environment = Connexion à l'environnement
doctor-not-attempted-fix-certificate-first = non tentée : corrigez d'abord le certificat
doctor-secrets-tls-material = Secrets et matériel TLS
doctor-no-authentication = sans authentification
doctor-given-bearer-token = jeton Bearer fourni
doctor-oauth2-client-credentials-with-secret = OAuth2 client_credentials avec secret
doctor-oauth2-by-certificate-mtls = OAuth2 par certificat (mTLS)
doctor-export-ror-client-id-with = exportez ROR_CLIENT_ID avec l'identifiant client remis par l'équipe ROR
doctor-export-variable-named-ror-client = exportez la variable nommée (ROR_CLIENT_SECRET, ROR_CERT_PASSWORD...) ou indiquez `file = ...` dans rorcheck.toml
doctor-use-known-name-declare-targets = utilisez un nom connu ou déclarez [targets.NOM] dans rorcheck.toml
doctor-check-paths-content-tls-ror = vérifiez les chemins et le contenu de `tls` (ROR_CERT_P12, ROR_CERT_PEM, ROR_CERT_KEY, ROR_CA_BUNDLE)
doctor-fix-rorcheck-toml-see-readme = corrigez rorcheck.toml (voir README, « Environnements »)
doctor-token-endpoint-reachable = Serveur d'autorisation joignable
doctor-fhir-server-reachable = Serveur FHIR joignable
doctor-first-search = Première recherche
doctor-fhir-server-unreachable = serveur FHIR injoignable
doctor-no-token = pas de jeton
doctor-ror-headers = En-têtes Ror-*
doctor-not-oid = { $system } « { $s } » n'est pas un OID
doctor-code-missing = { $code } absent
doctor-system-missing = { $system } absent
doctor-set-four-values-ror-team = renseignez les quatre valeurs remises par l'équipe ROR (ror_headers dans rorcheck.toml ou ROR_PROFIL_UTILISATEUR_CODE...)
doctor-answers-http = { $url } répond (HTTP { $status })
doctor-server-certificate-not-trusted-add = le certificat du serveur n'est pas reconnu : ajoutez la chaîne de son AC dans `ca` (ROR_CA_BUNDLE)
doctor-tls-handshake-fails-does-server = la poignée de main TLS échoue : le serveur exige-t-il un certificat client (profils 1 à 5) ? Est-il émis par l'IGC-Santé et valide ?
doctor-check-url-network-proxy-https = vérifiez l'URL, le réseau, le proxy (HTTPS_PROXY) et le pare-feu
doctor-url-no-answer = { $url } : pas de réponse en { $seconds } s
doctor-check-network-proxy-firewall = vérifiez le réseau, le proxy et le pare-feu
doctor-access-token = Jeton d'accès
doctor-no-authentication-configured-ror-access = aucune authentification configurée (ROR_ACCESS_TOKEN pour une cible donnée par son URL, ou `auth` dans rorcheck.toml)
doctor-bearer-token-given = jeton Bearer fourni
doctor-token-endpoint-unreachable = serveur d'autorisation injoignable
doctor-no-answer = pas de réponse en { $seconds } s
doctor-try-again-later = réessayez plus tard
doctor-client-id-secret-refused-check = identifiant client ou secret refusé : vérifiez ROR_CLIENT_ID et ROR_CLIENT_SECRET (le profil 0 seul utilise un secret)
doctor-client-refused-certificate-presented-one = client refusé : le certificat présenté est-il celui enregistré pour ce client id auprès de l'équipe ROR ?
doctor-token-endpoint-refuses-handshake-client = le serveur d'autorisation refuse la poignée de main : certificat client absent, expiré ou d'une autre AC que l'IGC-Santé
doctor-token-endpoint-does-not-answer = le serveur d'autorisation ne répond pas correctement : vérifiez l'URL et le certificat client
doctor-answer-not-oauth2-token-url = la réponse n'est pas un jeton OAuth2 : l'URL est-elle bien celle du point de jeton ?
doctor-fhir-resource-types = FHIR { $version }, { $resources } type(s) de ressource
doctor-ror-serves-r4 = le ROR expose FHIR R4 (4.0.1) : l'URL de base est-elle la bonne ?
doctor-http-no-capabilitystatement = HTTP { $status }, pas de CapabilityStatement{ $outcome }
doctor-base-url-must-end-with = l'URL de base doit se terminer par /ws-diffusion-fhir (sans /metadata)
doctor-check-base-url = vérifiez l'URL de base
doctor-first-search-ok = HealthcareService?_count=1 : Bundle searchset, total { $total }
doctor-no-token-sent-export-ror = aucun jeton envoyé : exportez ROR_ACCESS_TOKEN (cible donnée par son URL) ou configurez `auth` dans rorcheck.toml (client_credentials, mtls ou bearer)
doctor-token-refused-expired-from-another = jeton refusé : expiré, d'un autre environnement, ou lié à un autre certificat
doctor-check-four-ror-headers-access = vérifiez les quatre en-têtes Ror-* et le profil d'accès attribué à ce client
doctor-server-does-not-answer-like = le serveur ne répond pas comme le ROR : l'URL de base est-elle la bonne ?
doctor-http-no-searchset-bundle = HTTP { $status }, pas de Bundle searchset{ $outcome }
doctor-certificate-private-key = Clé privée du certificat
doctor-private-key-matches-certificate = la clé privée correspond au certificat
doctor-key-does-not-match-certificate = la clé ne correspond pas au certificat ({ $why })
doctor-give-key-generated-with-this = donnez la clé générée avec la demande de ce certificat (ou le .p12 complet)
doctor-ca-bundle = Magasin d'AC (ca)
doctor-cannot-read = { $path } illisible : { $e }
doctor-give-pem-chain = indiquez le fichier PEM de la chaîne IGC-Santé (AC de test pour le bac-à-sable)
doctor-holds-no-pem-certificate = { $path } ne contient aucun certificat PEM
doctor-file-must-hold-begin-certificate = le fichier doit contenir des blocs « BEGIN CERTIFICATE »
doctor-ca-certificates = { $certs_count } certificat(s) : { $names }
doctor-client-certificate-file = Certificat client : fichier
doctor-p12-password = Mot de passe du .p12
doctor-p12-opens = le .p12 s'ouvre
doctor-incomplete-ambiguous-configuration = configuration incomplète ou ambiguë
doctor-give-either-p12-password-cert = donnez soit `p12` (+ `password`), soit `cert` et `key`
doctor-p12-does-not-open-wrong = le .p12 ne s'ouvre pas : mot de passe erroné, ou fichier qui n'est pas un PKCS#12
doctor-file-must-hold-certificate-its = le fichier doit contenir le certificat et sa clé privée
doctor-missing-unreadable = { $path } introuvable ou illisible
doctor-check-path-relative-current-directory = vérifiez le chemin (relatif au répertoire courant) et les droits
doctor-subject-issuer = Sujet et émetteur
doctor-subject-issuer-sha-256 = sujet « { $subject } », émetteur « { $issuer } », SHA-256 { $fingerprint }
doctor-certificate-validity = Validité du certificat
doctor-not-valid-yet-from = pas encore valide (à partir du { $not_before })
doctor-check-clock = vérifiez l'horloge de la machine
doctor-expired-on = expiré depuis le { $not_after }
doctor-renew-certificate = renouvelez le certificat auprès de l'IGC-Santé
doctor-renew-it-soon = {" "}— à renouveler bientôt
doctor-valid-until-days = valide jusqu'au { $not_after } ({ $days_left } jours){ $soon }
doctor-issued-by-ca-that-not = émis par une AC absente du magasin (UnknownIssuer)
doctor-chain-not-valid-certificate-expired = la chaîne n'est pas valide : certificat expiré
doctor-chain-not-valid-yet = la chaîne n'est pas valide : certificat pas encore valide
doctor-certificate-does-not-allow-client = le certificat n'autorise pas l'authentification client (extendedKeyUsage)
doctor-invalid-signature-chain = signature de la chaîne invalide
doctor-certificate-revoked = certificat révoqué
doctor-chain-configured-ca = Chaîne vers l'AC configurée
doctor-ca-bundle-unusable-see-above = magasin d'AC inutilisable (voir plus haut)
doctor-no-ca-configured-tls-ca = aucune AC configurée (tls.ca ou ROR_CA_BUNDLE) : chaîne non vérifiable localement
doctor-certificate-issued-by-ca-bundle = le certificat est émis par une AC du magasin et utilisable pour l'authentification client
doctor-certificate-must-be-issued-by = le certificat doit être émis par l'IGC-Santé (AC de test pour le bac-à-sable) : vérifiez le magasin d'AC et le certificat
doctor-password-in-variable = la variable { $var }
doctor-password-in-file = le fichier { $path }
doctor-password-in-variable-or-file = la variable { $var } ou le fichier { $path }
doctor-password-nowhere = `tls.password` (aucune source configurée)
doctor-password-check = vérifiez { $place } : le mot de passe choisi au retrait du certificat IGC-Santé
doctor-password-set = renseignez { $place }
doctor-absent = absent
doctor-token-obtained = obtenu : token_type { $token_type }, expires_in { $expires_in }{ $no_store ->
        [yes] , Cache-Control no-store
       *[no] , sans Cache-Control no-store
    }

## Statuses

status-passed = réussi
status-warning = avertissement
status-failed = échoué
status-errored = en erreur
status-skipped = ignoré
status-not-exercised = non exercé
status-not-applicable = non applicable

## report.html of a run

report-title = Rapport de conformité ROR
report-subtitle = vérification de l'API FHIR R4 du ROR telle qu'atteinte par un client
report-heading = Vérification de l'API ROR — cible « { $target } »
report-interrupted = Exécution interrompue ({ $why }) : les scénarios terminés gardent leur résultat, les autres sont en erreur.
report-by-priority = Résultats par priorité
report-by-modality = Résultats par modalité de consommation
report-context = Contexte de l'exécution
ctx-environment = Environnement
ctx-base-url = URL de base FHIR
ctx-auth = Authentification
ctx-token-server = Serveur d'autorisation
ctx-client-id = Identifiant client
ctx-client-certificate = Certificat client
ctx-tool = Outil
ctx-scenario-hash = Empreinte des scénarios
explain-tooltip = valeurs des sous-expressions FHIRPath
replay-curl = Rejouer avec curl (secrets masqués)
report-judged-before = Ce rapport juge <strong>l'API FHIR du ROR</strong> (ici « { $target } ») telle qu'elle répond à ce client, avec ses identifiants, son certificat et son profil d'accès (voir le contexte ci-dessous). Il ne juge pas l'application de l'éditeur : c'est l'objet du mode observation (
report-judged-after = ), dont le rapport est la pièce à remettre pour l'application.
report-score-tooltip = Estimation du succès des cas de test en tenant compte des criticités
report-score = Score pondéré :
report-legend = Priorité 1 = CRITIQUE (criticité PLATINES 2), 2 = MAJEUR (1), 3 = MINEUR (0). Score pondéré = max(0, 100 − 100 × échecs critiques − 50 × échecs majeurs − 25 × échecs mineurs), un scénario en erreur comptant comme un échec. « Échoué » : le serveur n'a pas respecté une exigence. « En erreur » : rorcheck n'a pas pu évaluer (connexion, délai, réponse illisible). « Ignoré » : non exécuté, avec sa raison — un scénario CRITIQUE ignoré rend le verdict « incomplet ». « Non applicable » : prévu pour un autre profil d'accès, non compté. Verdict : « non conforme » si un scénario a échoué ; « incomplet » si rien n'a échoué mais que quelque chose n'a pu être évalué (connexion, TLS, identifiants, délai) ; « conforme » sinon.
ctx-partly-masked = (partiellement masqué)
ctx-none = aucun
ctx-access-profile = Profil d'accès
ctx-unspecified = non précisé
ctx-second-target = Seconde cible
ctx-with-profile = , profil d'accès { $profile }
ctx-second-target-use = {" "}: les scénarios des profils qu'elle sert
ctx-safeguards = Garde-fous
ctx-production = production : scénarios lourds non exécutés
ctx-no-restriction = aucune restriction de scénario
ctx-rate-limit = , au plus { $rate } requêtes/s
ctx-start = Début
ctx-end = Fin
ctx-duration = (durée { $duration })
report-scenarios = Scénarios
filter = Filtrer :
filter-passed = réussis
filter-failed = échoués
filter-errored = en erreur
filter-skipped = ignorés
file = Fichier :
requirements = Exigences :
tags = Étiquettes :
line = ligne { $line }
col-result = Résultat
col-check = Contrôle
col-expected = Attendu
col-obtained = Obtenu
captured = Valeurs capturées :
evidence = Preuve
colon = {" "}:{" "}
no-response = pas de réponse
request = Requête
response = Réponse
stopped-early = Arrêt anticipé : { $why }
col-priority = Priorité
col-criticality = Criticité PLATINES
col-total = Total
col-passed = Réussis
col-failed = Échoués
col-errored = En erreur
col-skipped = Ignorés
col-penalty = Pénalité par échec
col-modality = Modalité
col-to-fix = À corriger

## Counts (plural forms follow the language: French "one" covers 0 and 1)

count-scenarios = { $count ->
        [one] { $count } scénario
       *[other] { $count } scénarios
    }
count-passed = { $count ->
        [one] { $count } réussi
       *[other] { $count } réussis
    }
count-failed = { $count ->
        [one] { $count } échoué
       *[other] { $count } échoués
    }
count-errored = { $count } en erreur
count-skipped = { $count ->
        [one] { $count } ignoré
       *[other] { $count } ignorés
    }
count-not-applicable = { $count ->
        [one] { $count } non applicable
       *[other] { $count } non applicables
    }
count-warnings = { $count ->
        [one] { $count } avertissement
       *[other] { $count } avertissements
    }
count-attempts = { $count ->
        [one] { $count } tentative
       *[other] { $count } tentatives
    }

## report.html: evidence and the observed session

note-no-response = Aucune réponse reçue.
note-abridged = Étape réussie : corps abrégé à ses { $PASSING_BODY_SHOWN } premiers octets ({ $body_bytes } reçus) ; en entier dans report.json et dans le dossier de preuve (session.har).
note-truncated = Corps tronqué dans ce rapport ({ $body_bytes } octets reçus).
note-empty-body = Corps vide.
timing = en-têtes en { $headers_ms } ms, réponse complète en { $total_ms } ms
obs-token-none = aucun
obs-token-unreadable = illisible
obs-token-valid = valide
obs-token-expired = expiré
obs-token-invalid = invalide
obs-fact-page = page { $page } sur { $pages } de la recherche { $search }
obs-fact-kickoff = lancement de { $job }
obs-fact-manifest = manifeste de { $job }
obs-fact-in-progress = { $job } en cours (Retry-After)
obs-fact-file = fichier { $file } de { $job }
obs-fact-token = jeton { $jti } délivré
obs-fact-resources = { $count } ressource(s) servie(s)
obs-verdict-ok = conforme sur le périmètre exercé
obs-verdict-nothing = aucun scénario exercé

## junit.xml

junit-file = { $id } — { $title }
    fichier : { $file }
junit-step = [{ $status }] étape « { $name } » (ligne { $line })
junit-reason = raison : { $reason }
junit-assertion = { $label } { $kind } (ligne { $line }) : attendu { $expected } ; obtenu { $actual }
junit-failure = échec
junit-type-failure = non-conformité
junit-type-error = erreur d'exécution
junit-not-exercised = non exercé par l'application
junit-observation = observation { $modality }
junit-behaviour-suite = comportement du consommateur
junit-session-suite = session observée
junit-session-case = SESSION Verdict de la session observée
junit-session-empty = aucun scénario exercé : la session n'a rien montré
junit-session-failed = { $failed } scénario(s) échoué(s), { $behaviours_failed } comportement(s) en échec, { $passed } réussi(s)
har-request = requête n° { $seq }

## Console

console-obtained = , obtenu { $actual }
console-summary = { $passed } réussis, { $failed } échoués, { $errored } en erreur, { $skipped } ignorés — { $total } scénarios en { $seconds } s{ $not_applicable_note }
console-not-applicable = {" "}({ $count } non applicable(s) au profil d'accès de la cible)
console-stopped-early = Arrêt anticipé : { $why }
console-priority = P{ $priority } { $label } { $passed } réussis / { $total } ({ $failed } échoués, { $errored } en erreur, { $skipped } ignorés)
console-interrupted = Exécution interrompue ({ $why }) : scénarios non terminés comptés en erreur
console-verdict = Verdict : { $verdict } — score pondéré { $score }/100
console-step = étape « { $name } » (ligne { $line }, { $ms } ms)
console-assertion = { $kind } : attendu { $expected }
progress-scenarios = scénarios
mark-passed = OK
mark-warning = AVERT.
mark-failed = ÉCHEC
mark-errored = ERREUR
mark-skipped = IGNORÉ
mark-not-exercised = NON EX
mark-not-applicable = N/A

## Verdicts

verdict-compliant = conforme
verdict-non-compliant = non conforme
verdict-incomplete = incomplet
verdict-interrupted = interrompu

## report.html of an observed session

obs-title = Observation d'une application consommatrice du ROR
obs-judged = Ce rapport juge <strong>l'application de l'éditeur</strong> : ce qu'elle a envoyé au ROR simulé pendant la session, et comment elle s'est comportée. C'est la pièce qui montre l'application à l'équipe programme ROR.
obs-how = a joué le rôle du ROR (API FHIR R4 et serveur d'autorisation) et a enregistré chaque requête de l'application, comme la plateforme PLATINES. Chaque scénario est jugé sur le trafic observé : <strong>réussi</strong> (requêtes attendues vues et correctes), <strong>échoué</strong> (vues mais fausses, avec la différence), <strong>non exercé</strong>. Les secrets, jetons et mots de passe sont masqués.
obs-score = Score pondéré PLATINES :
obs-coverage = Couverture :
obs-session = Session
obs-base = Base FHIR simulée
obs-app = Application lancée
obs-transport = Transport
obs-profile = Profil d'accès jugé
obs-traffic = Trafic
obs-coverage-by-priority = Couverture par priorité
obs-score-legend = Score pondéré (règle PLATINES) : 100 − 100 par scénario CRITIQUE échoué − 50 par MAJEUR − 25 par MINEUR, au minimum 0. Un scénario non exercé ne retire pas de points : la couverture dit ce qui a été montré. { $count } scénarios éprouvent le serveur (refus, en-têtes retirés, jetons forgés) ou un autre profil d'accès et ne se jugent pas sur le trafic d'un consommateur.
obs-behaviour = Comportement de l'application
obs-story = Récit jour par jour (modalité mise à jour)
obs-day-zero = données initiales : extraction complète attendue
obs-expected-request = Requête attendue :
obs-observed-requests = Requêtes observées :
obs-out = Scénarios hors observation
obs-history = Historique des requêtes
obs-request-and-response = requête et réponse
obs-connection-refused = connexion refusée
obs-score-none = non calculé (la session n'a rien montré)
obs-observable = { $count ->
        [one] { $count } scénario observable
       *[other] { $count } scénarios observables
    }
count-not-exercised = { $count ->
        [one] { $count } non exercé
       *[other] { $count } non exercés
    }
count-behaviours-failed = { $count } comportement(s) non conforme(s)
obs-traffic-line = { $requests } requêtes dont { $fhir } appel(s) FHIR et { $tokens } demande(s) de jeton ; { $unexpected } hors scénario
col-observable = Observables
col-not-exercised = Non exercés
col-coverage = Couverture
col-finding = Constat
request-number = n° { $seq }
obs-story-legend-1 = Le ROR simulé a fait évoluer ses données jour après jour ; le contrôle
obs-story-legend-2 = vérifie l'extraction complète du J0, une mise à jour (_lastUpdated) chaque jour avec une borne qui ne manque rien, et que chaque ressource créée, modifiée ou fermée a été reçue après son changement.
col-day = Jour
col-start-utc = Début (UTC)
col-changes = Changements
obs-day-empty = aucun changement (journée vide)
col-scenario = Scénario
col-why-out = Pourquoi il ne se juge pas sur le trafic du consommateur
obs-history-legend = Chaque requête reçue, dans l'ordre d'arrivée. Les requêtes hors scénario (opérations inattendues au sens de PLATINES) :
obs-none-f = aucune
col-number = N°
col-time-utc = Heure (UTC)
col-token = Jeton (jti)
col-certificate = Certificat
obs-response-bytes = Réponse ({ $bytes } octets
obs-start = , début

## Verdicts: assertions

a-header-absent = en-tête { $name } absent
a-header-present = en-tête { $name } présent
a-header-contains = { $name } contient « { $v } »
a-header-matches = { $name } correspond à /{ $re }/
a-result = résultat { $actual_value }
a-items = { $results_count } élément(s)
a-sub-items = { $sub } → { $values_count } élément(s){ $separator }{ $shown }{ $more }
a-sub-error = { $sub } → erreur : { $e }
a-entry = entrée { $k }
a-empty-body-expected = corps vide, { $resource_type } attendu
a-other-type = resourceType { $other }, { $resource_type } attendu
a-a-bundle = un Bundle
a-total-absent = total absent
a-entries = entrées
a-entries-match = entrées match
a-entries-include = entrées include
a-link-present = lien { $rel } présent
a-link-absent = lien { $rel } absent
a-no-link = aucun lien
a-links = liens : { $relations }
a-outcome-any = un OperationOutcome avec au moins une issue
a-outcome-with = un OperationOutcome avec une issue { $wanted }
a-paged-only = cette assertion ne s'applique qu'à une étape follow_next ou export
a-tls-refused-expected = poignée de main TLS refusée par le serveur
a-tls-accepted = connexion TLS acceptée, réponse HTTP { $status }
a-empty-body = corps de réponse vide
a-no-finding-on = aucun écart sur { $scope }
a-findings = { $errors } écart(s), { $warnings } avertissement(s) sur { $scope } : { $listed }
a-and-more = … et { $count } autre(s)
a-http-status = statut HTTP { $spec }
a-http-status-actual = statut HTTP { $actual }

## Verdicts: $export

x-manifest-unavailable = manifeste toujours indisponible après { $polls } interrogation(s) du statut
x-status-url = le Content-Location de l'export (URL de statut)
x-poll-failed = suivi de l'export : { $e }
x-poll-status = suivi de l'export : HTTP { $other } au lieu de 202 (en cours) ou 200 (manifeste)
x-types = types exportés { $got }, attendu { $want }
x-count-of-type = { $n } ressource(s) { $ty }, attendu { $cmp }
x-duplicates = { $duplicate_count } ressource(s) exportée(s) plusieurs fois : { $duplicates }
x-dangling = { $dangling_count } référence(s) sans la ressource visée dans l'export : { $named }
x-files-ok = fichiers lisibles, conformes au manifeste, sans doublon, références promises résolues
x-exported = { $count } ressource(s) exportée(s)
x-file-url-unusable = URL de fichier inutilisable « { $url } » ({ $e })
x-content-type = type de contenu « { $content_type } » : application/fhir+json ou application/fhir+ndjson attendu
x-file-url = l'URL du fichier { $ty } du manifeste
x-scan-stopped = analyse du fichier interrompue : { $e }
check-all-because = contrôle de conformité automatique (--check-all)
x-record-limit = une ressource dépasse la limite de { $limit } (max_record_mib) : lecture arrêtée
x-file-limit = fichier au-delà de la limite de { $limit } (max_export_file_mib) : lecture arrêtée
x-not-bundle = resourceType { $ty } au lieu de Bundle
x-kickoff-failed = lancement de l'export : { $e }
x-kickoff-status = lancement de l'export : attendu 202 Accepted, obtenu HTTP { $status }
x-kickoff-no-location = lancement de l'export : 202 sans Content-Location utilisable

## Verdicts: paging

p-followed = { $pages_count } page(s) suivie(s){ $to_last }, { $distinct } résultat(s) distinct(s), total annoncé { $total }{ $cap_note }
p-to-last = {" "}jusqu'à la dernière
p-cap-reached = {" "}— plafond documenté de { $cap } résultats atteint
p-expected = pages suivies jusqu'au bout, ≤ { $page_size } résultats par page, aucun doublon ni perte{ $results }{ $cap }{ $more }
p-results = , résultats { $c }
p-cap-observed = , plafond de { $cap } observé
p-no-truncation = , pas de troncature à { $cap }
p-interrupted = pagination interrompue à la page { $page } : { $why }
p-max-pages = un lien next subsiste après { $pages_count } pages (max_pages) : chaîne non parcourue jusqu'au bout
p-too-many = page { $page } : { $n } résultats, plus que les { $page_size } permis (RG_RECH_52)
p-duplicates = { $duplicates_count } ressource(s) renvoyée(s) sur plusieurs pages : { $listed }{ $more }
p-total-varies = le total varie d'une page à l'autre ({ $totals })
p-total-absent = Bundle.total absent des pages { $pages_without_total }
p-lost = { $lost } résultat(s) perdu(s) : { $distinct } collecté(s) en suivant next pour un total annoncé de { $total }
p-collected = { $distinct } résultats collectés pour un total annoncé de { $total }
p-truncated = recherche tronquée au plafond documenté de { $cap } résultats (total { $total }) : une extraction complète passe par $export
p-cap-not-observed = plafond de { $cap } résultats non observé
p-pages-expected = { $pages_count } page(s), attendu { $c }
p-distinct-expected = { $distinct } résultat(s) distinct(s), attendu { $c }
p-next-unusable = lien next inutilisable « { $next } » ({ $e })
p-next-of-page = le lien next de la page { $number }
p-not-followed = { $label } (demandée pendant la lecture de la page précédente, non suivie : cette page ne la confirme pas)
p-outside = { $what } pointe hors de la cible ({ $origin })

## Verdicts: steps and scenarios

a-tls-refused = poignée de main TLS refusée : { $why }
s-after-attempts = { $r } (après { $attempts } tentatives)
s-no-token = jeton d'accès impossible à obtenir : { $e }
s-token-origin = le jeton d'accès n'est envoyé qu'à l'origine de l'API FHIR (fuite de jeton, SSRF)
s-follow-origin = liens de suivi sur l'origine de la cible ({ $api }) ou une origine de confiance
s-not-evaluated = non évalué
s-expected-obtained = attendu { $expected }, obtenu { $actual }
s-fail-fast = --fail-fast : arrêt après « { $id } » ({ $status })
s-profiles = réservé aux profils d'accès { $profiles }, la cible utilise le profil { $profile }
s-too-small = la cible « { $name } » ne contient que { $held } offres, ce scénario en demande au moins { $needed }
s-larger-failed = la cible de { $offers } offres n'a pas démarré : { $why }
s-previous-step = étape précédente non réussie
s-precondition = précondition non remplie (étape « { $name } ») : { $r }
s-step = étape « { $name } » : { $r }
s-unfinished = scénario non terminé : exécution interrompue ({ $why })
s-not-run = non exécuté : { $why }
s-internal = erreur interne de rorcheck
c-tls = poignée de main TLS refusée
c-timeout = pas de réponse dans le délai
c-credentials = identifiants refusés par le serveur d'autorisation
s-cannot-build = requête impossible à construire : { $e }
c-connection = connexion impossible
x-deadline = export non terminé dans le délai de { $seconds } s (export_deadline_secs) : arrêté { $when }
x-stage-before-manifest = avant le manifeste
x-stage-before-file = avant ce fichier
x-stage-waiting-file = en attendant ce fichier
x-stage-reading-file = pendant la lecture de ce fichier

## Command line

cli-run-header = rorcheck { $version } — { $count } scénario(s) sur { $target } ({ $base_url })
cli-reports = Rapports : { $html }, { $junit }, { $json }
cli-fail-on = Échecs de priorité au-delà de --fail-on { $fail_on } seulement : sortie 0
cli-evidence = Dossier de preuve : { $path }
cli-count-scenarios = { $count } scénario(s)
cli-valid = { $count } scénario(s) valides
list-priority = PRIORITÉ
list-modality = MODALITÉ
list-title = TITRE
list-tags = ÉTIQUETTES
cli-failed = des scénarios ont échoué (voir les rapports)
cli-incomplete = vérification incomplète : des scénarios n'ont pas pu être évalués (voir les rapports)
cli-checks-failed = des vérifications ont échoué (voir ci-dessus)
cli-interrupted = exécution interrompue par { $signal } (rapports écrits avec les scénarios terminés)
cli-invalid-scenarios = scénarios invalides :

## Targets

auth-none = aucune
auth-bearer = jeton Bearer statique
auth-secret = OAuth2 client_credentials avec secret
auth-mtls = OAuth2 client_credentials par certificat (mTLS)
target-mock = mock (ROR simulé intégré)
target-mock-mtls = mock-mtls (ROR simulé intégré, TLS mutuel, profil 1)

## Observer mode: behaviour checks, scenario verdicts, the day-by-day story

b-shortcomings = { $count ->
        [one] { $count } manquement
       *[other] { $count } manquements
    }
b-nothing = rien à juger dans le trafic observé
b-no-token = appel FHIR sans jeton (en-tête Authorization: Bearer absent)
b-invalid-token = appel FHIR avec un jeton invalide (illisible, mal signé ou inconnu)
b-comp01-title = Jeton d'accès sur chaque appel FHIR
b-comp01-why = le ROR refuse (401) tout appel sans jeton OAuth2 valide
b-comp01-ok = { $calls_count } appels FHIR, tous avec un jeton
b-comp02-title = Les quatre en-têtes Ror-* sur chaque appel FHIR
b-comp02-why = profil et rôle de l'utilisateur final (TRE_R78, OID bruts) sont exigés sur chaque appel
b-comp02-ok = { $calls_count } appels FHIR, en-têtes conformes
b-new-token-early = nouveau jeton demandé alors que le précédent était valide encore { $seconds } s
b-comp03-title = Jeton réutilisé jusqu'à son expiration
b-comp03-why = un jeton par appel surcharge le serveur d'autorisation ; le jeton vaut pour toute sa durée
b-comp03-ok = { $issued_count } jeton(s) obtenu(s) pour { $calls } appels FHIR
b-comp03-ko = { $issued_count } jetons obtenus pour { $calls } appels FHIR : { $needless_count } renouvellement(s) inutile(s)
b-expired-since = {" "}(expiré depuis { $seconds } s)
b-expired-call = appel avec un jeton expiré{ $since } : { $method } { $path }
b-comp04-title = Nouveau jeton demandé avant l'expiration du précédent
b-comp04-why = un jeton expiré est refusé (401) : le consommateur redemande un jeton avant exp plutôt que d'attendre le refus
b-comp04-ok = la session a survécu à un jeton sans aucun appel avec un jeton expiré
b-tls-refused = connexion TLS refusée : { $reason }
b-comp05-title = Certificat client IGC-Santé présenté (mTLS, profils 1 à 5)
b-comp05-why = RFC 8705 : sans certificat, la poignée de main TLS est refusée et aucun jeton n'est lié
b-comp05-ok = { $with_cert } requêtes sur des connexions authentifiées par certificat
b-comp06-title = Uniquement des paramètres de recherche documentés
b-comp06-why = un paramètre inconnu est refusé (400) : le guide ROR liste ceux que le serveur sait traiter
b-comp06-ok = tous les paramètres envoyés sont documentés
b-page-never = page { $page } sur { $pages } jamais demandée
b-comp07-title = Chaque lien next suivi jusqu'à la dernière page
b-comp07-why = une recherche s'arrêtant avant la dernière page perd des offres sans le savoir (une sonde à _count ≤ 10 sans page suivante n'est pas jugée)
b-comp07-ok = { $firsts_count } recherche(s) sur plusieurs pages, toutes lues
b-never-polled = l'URL de Content-Location n'a jamais été interrogée
b-poll-after-manifest = interrogation n° { $seq } après le manifeste (200) : il fallait s'arrêter
b-poll-too-fast = interrogation { $gap } ms après la précédente alors que Retry-After demandait { $wait } s
b-poll-abandoned = interrogation abandonnée avant le manifeste
b-file-never = fichier { $file } du manifeste jamais téléchargé
b-comp08-title = $export : Retry-After respecté, arrêt au manifeste, chaque fichier téléchargé
b-comp08-why = interroger trop vite surcharge le ROR ; un fichier oublié est une extraction incomplète
b-comp08-ok = { $kickoffs_count } export(s) menés à terme
o-exit-code = { $when }code de sortie { $c }
o-signal = { $when }arrêtée par un signal
o-command-ok = la commande de l'application a réussi ({ $runs_count } exécution(s))
o-command-ko = la commande de l'application a échoué : { $failed }
o-profiles = réservé aux profils d'accès { $list } (session observée en profil { $profile })
o-behaviour = ce que le consommateur doit en montrer est un comportement, jugé une seule fois, par { $ids }
o-server-test = l'étape « { $name } » { $reason } : ce scénario éprouve le serveur, pas le consommateur
o-no-own-request = aucune requête propre au consommateur dans ce scénario
o-declared = requête déclarée { $request }
o-sends-no-token = envoie volontairement une requête sans jeton
o-forged-token = présente un jeton forgé ou expiré
o-removes-header = retire volontairement l'en-tête { $omit_headers }
o-forces-header = force l'en-tête { $name }
o-no-certificate = se connecte volontairement sans certificat
o-expects-refusal = attend un refus de connexion
st-title = Récit jour par jour : extraction J0, mise à jour chaque jour, point de contrôle
st-why = chaque création, modification et fermeture doit parvenir au consommateur par ses mises à jour
st-ok = { $days } jour(s) joué(s) après J0, { $changes } changement(s), tous reçus
st-d0-incomplete = J0 : extraction complète inachevée, { $missing_count } offre(s) sur { $offers_count } jamais reçue(s) (par exemple { $examples })
st-no-update = J{ $day } : aucune mise à jour (_lastUpdated) pendant la journée{ $note }
st-empty-day = {" "}(journée sans changement : le consommateur doit tout de même interroger)
st-bound-late = J{ $day } : borne `_lastUpdated={ $value }` postérieure aux changements du jour ({ $at }) : ils sont manqués
st-never-received = J{ $day } : { $kind } de { $key } ({ $what }) jamais reçue par le consommateur
j-refused-once = requête n° { $seq } refusée : { $r } (compté une fois, sur { $id })
j-refused = requête n° { $seq } vue mais refusée : { $r }
j-single-page = résultat tenant sur une seule page : le suivi des liens next n'a pas pu être observé (demander des pages plus petites avec _count)
j-counted-07 = { $p } (compté une fois, sur COMP-07)
j-counted-08 = { $p } (compté une fois, sur COMP-08)
j-nothing-close = aucune requête de la session ne s'en approche (attendu : { $request })
j-request-diff = requête n° { $seq } : { $d }
j-other-values = même recherche sur d'autres valeurs : envoyer celles du scénario pour l'exercer
j-step-problem = « { $name } » : { $p }
j-partly = exercé en partie : « { $name } » ({ $expected }) jamais envoyée
j-behaviour-failed = comportement { $id } ({ $title }) en échec, compté une fois, sur { $id } : { $summary }
j-behaviour-unseen = comportement { $id } ({ $title }) non observé pendant la session
d-endpoint = point d'accès `{ $actual }` au lieu de `{ $expected }`
d-missing = `{ $name }={ $value }` absent
d-extra = `{ $name }={ $value }` en trop
d-value = `{ $name }` vaut `{ $actual }` au lieu de `{ $expected }`

## Command line: observe, serve, tools

obs-cli-launched = — application lancée pour J{ $d }
obs-cli-banner = Observation : rorcheck joue le ROR pour votre application.
obs-cli-base = {" "} Base FHIR      : { $base_url }
obs-cli-token = {" "} Jeton OAuth2   : { $token_url }
obs-cli-certs = {" "} Certificats    : AC de test (ca.pem) et certificats clients dans { $dir }
obs-cli-client-mtls = {" "} client_id      : { $client_id } (profil d'accès 1, authentifié par son certificat)
obs-cli-secret = {" "} client_secret  : { $secret } (démo, profil d'accès 0)
obs-cli-headers = {" "} En-têtes       : sur chaque appel FHIR
obs-cli-settings = {" "} Réglages       : écrits dans { $path }
obs-cli-story = {" "} Récit          : J0 = données initiales (faire l'extraction complète)
obs-cli-per-day = {" "}                  l'application est lancée une fois par jour, J0 à J4
obs-cli-day-every = {" "}                  jour suivant toutes les { $seconds } s
obs-cli-day-curl = {" "}                  jour suivant : curl -X POST { $url }
obs-cli-app = Application : { $command } (réglages ROR_* dans son environnement ; la session se termine avec elle)
obs-cli-recording-for = Enregistrement pendant { $seconds } s (Ctrl-C pour arrêter plus tôt)…
obs-cli-recording = Enregistrement jusqu'à Ctrl-C…
obs-cli-day-empty = — J{ $day } ({ $at }) : aucun changement
obs-cli-event = { $kind } de { $key }
obs-cli-day = — J{ $day } ({ $at }) : { $events }
obs-cli-next-day = {" "} n° { $seq } passage au jour suivant demandé
obs-cli-tls = {" "} n° { $seq } connexion TLS refusée : { $reason }
obs-cli-request = {" "} n° { $seq } { $method } { $path }{ $query } → { $status }{ $refusal }
obs-cli-application = Application : { $summary }
obs-cli-traffic = { $requests } requête(s), { $fhir_calls } appel(s) FHIR, { $token_requests } demande(s) de jeton.
obs-cli-scenarios = Scénarios : { $passed } réussis, { $failed } échoués, { $not_exercised } non exercés sur { $observable } observables ({ $out_of_scope } hors observation).
obs-cli-coverage = {" "} P{ $priority } { $label } couverture { $coverage_percent } % ({ $passed } réussis, { $failed } échoués / { $observable })
obs-cli-score = Score pondéré PLATINES : { $score } / 100
obs-cli-score-none = Score pondéré PLATINES : non calculé (la session n'a rien montré)
obs-cli-failed = {" "} ÉCHOUÉ { $id } { $title } — { $reason }
obs-cli-target = application observée, ROR simulé { $base_url }
serve-listening = Mock ROR en écoute.
serve-faults = {" "} ATTENTION : défauts injectés : { $keys }
serve-example = {" "} Exemple : curl -s -d grant_type=client_credentials -d client_id={ $client_id } -d client_secret={ $secret } { $token_url }
serve-mtls-client = {" "} client mTLS     : { $id } (profil d'accès { $profile }, certificat x5t#S256 { $thumbprint })
serve-certs-written = {" "} Certificats de test (AC, serveur, clients) : { $files_count } fichiers dans { $dir }
serve-write-certs = {" "} (--write-certs DIR écrit l'AC de test et les certificats clients)
serve-ctrl-c = Ctrl-C pour arrêter.
tools-nos = { $code_systems_count } systèmes de codes, { $value_sets_count } jeux de valeurs (NOS du { $date }) écrits dans { $out }
tools-fixtures = { $resources_count } ressources (graine { $seed }, { $offers } offres) écrites dans { $files_count } fichiers sous { $out }
tools-export = { $n } scénarios écrits sous { $dir } (rorcheck run { $dir } les exécute)
signal-first = { $first } reçu : arrêt, écriture des rapports… (un second signal quitte immédiatement)
signal-second = second signal : sortie immédiate, sans rapport

## Conformance findings (the rules' own rationale, data, stays French)

f-confidential-contact = contact de confidentialité { $level } (TRE_R283) servi au profil d'accès { $profile }, qui ne doit pas le voir
f-practitioner = Practitioner servi au profil d'accès { $profile } : réservé au profil 1 (correspondance 0.7)
f-reserved-p1 = { $what } servi au profil d'accès { $profile } : réservé au profil 1
f-cap-p0 = aucune capacité n'est visible du profil 0
f-cap-p5 = le profil 5 ne voit que les capacités installées (TRE_R330 01)
f-cap-p23 = les capacités supplémentaires (TRE_R330 06) ne sont pas visibles des profils 2 et 3
f-cap-served = capacité servie au profil d'accès { $profile } : { $why }
f-equipment-p0 = équipement servi au profil d'accès 0, qui ne le voit pas
f-sensitive-location = lieu d'une unité sensible ({ $hs }) servi au profil d'accès { $profile }
f-why-sensitive = son offre est une unité sensible
f-why-p0-field = le profil 0 ne voit que les situations d'exercice du champ ambulatoire
f-why-p3-field = le profil 3 ne voit que celles des champs médico-social et ambulatoire
f-practice-served = situation d'exercice de { $offer } servie au profil d'accès { $profile } : { $why }
f-code-deprecated = code { $code } de { $system } déprécié : à accepter, à ne plus produire
f-code-ending = code { $code } de { $system } en fin de validité (dateFin) : valide sur une ressource ancienne
f-system-absent = système NOS { $system } absent de l'instantané du { $date }
f-jdv-as-system = { $system } est un jeu de valeurs (JDV) employé comme système de codes : attendu la TRE
f-no-server-rest = aucun rest de mode « server » : le serveur ne déclare aucune capacité
f-resource-undeclared = ressource { $ty } non déclarée ({ $because })
f-fhir-version = version FHIR « { $version } » : le ROR expose FHIR R4 ({ $fhir_version_prefix }x)
f-formats = aucun des formats { $formats } n'est déclaré (déclarés : { $formats_ })
f-operation-undeclared = opération ${ $name } non déclarée ({ $because })
f-interactions = { $ty } : interactions { $missing } non déclarées
f-search-params = { $ty } : paramètres de recherche { $missing } non déclarés
f-field-missing = { $ty } : { $missing } non déclaré(s) dans { $field }
f-none = aucun
f-requirements-unreadable = exigences de capacités illisibles : { $e }
f-type = { $name } doit être de type { $ty }, trouvé { $item }
f-no-code-bound = { $name } : aucun code des tables { $binding } (liaison obligatoire)
f-fixed = { $name } : { $k } fixé à { $want }
f-slice = { $def }.{ $path } : code lié à une tranche ({ $slices }) mais ne correspondant à aucune (ror-act-type manquant ou inattendu ?)
f-extension-undefined = { $def } : extension { $u } non définie à cet endroit par le profil
f-complex-extension = { $name } est une extension complexe (sous-extensions), trouvé { $k }
f-malformed = { $name } : { $k } mal formé : { $v }
f-out-of-codes = { $name } : { $v } hors des codes { $codes }
f-want-found = { $name } : { $want } attendu, trouvé { $found }
f-profile-undeclared = le profil { $canonical } n'est pas déclaré (trouvé : { $declared })
f-old-canonical = extension sur une ancienne base canonique : { $url } (attendu { $canonical_base }...)
f-value-system = valueCodeableConcept du système { $system } attendu, trouvé { $e } — { $because }
f-system-instead = système { $s } au lieu de { $system } — { $because }
f-no-code-of = aucun code de { $system } — { $because }
f-no-identifier = aucun identifiant du type attendu — { $because }
f-identifier-system = système { $found } au lieu de { $system } — { $because }
f-value-format = valeur « { $value } » hors format { $pattern } — { $because }
f-twice = { $url } présent deux fois dans le Bundle
f-total-mismatch = total { $total } incohérent avec { $matches } résultat(s) « match »{ $note }
f-single-page = {" "}sur une page unique
f-include-absent = { $reference } demandé par _include={ $value } absent du Bundle
f-iterate = { $reference } absent : _include:iterate=Organization:partof doit remonter jusqu'à l'entité juridique
f-revinclude = inclus par _revinclude=PractitionerRole:service sans pointer vers une offre résultat ({ $refs })
f-last-updated = { $resource } ne satisfait pas _lastUpdated={ $value }
f-identifier-criterion = aucun identifiant ne correspond au critère identifier={ $value }
f-tag-absent = étiquette absente : critère _tag={ $value }

## HTTP and OAuth2 transport

h-timeout = pas de réponse dans le délai de { $ms } ms
h-connect = connexion impossible : { $why }
h-tls = poignée de main TLS refusée : { $why }
h-build = requête invalide : { $why }
h-other = échange interrompu : { $why }
h-endless = flux sans fin annoncée
h-announced = { $size } annoncés
h-too-large = corps de réponse au-delà de la limite de { $limit } ({ $announced }) : lecture arrêtée
h-header-name = nom d'en-tête invalide `{ $name }`
h-header-value = valeur invalide pour l'en-tête `{ $name }`
h-oauth-unreachable = serveur d'autorisation injoignable : { $why }
h-oauth-tls = poignée de main TLS refusée avec le serveur d'autorisation : { $why }
h-oauth-refused = jeton refusé par le serveur d'autorisation (HTTP { $status }{ $code })
h-oauth-malformed = réponse du serveur d'autorisation illisible : { $why }
h-oauth-too-large = réponse de plus de { $size } pour un jeton
h-har-start = début du corps seulement ({ $shown } octets sur { $size })
h-key-unreadable = clé privée illisible
h-key-unusable = clé privée inutilisable : { $why }
app-no-start = « { $program } » ne démarre pas : { $e }
larger-too-few = { $found } offres visibles sur { $generated } générées, { $offers } demandées
larger-name = { $name } — { $count } offres
larger-too-many = { $offers } offres demandées, la cible intégrée en génère au plus { $max } (mémoire) : à jouer contre un ROR réel

## Configuration

cfg-read = lecture du fichier de configuration { $path } impossible : { $reason }
cfg-parse = fichier de configuration { $path } invalide : { $reason }
cfg-unknown-target = cible inconnue `{ $name }` ; cibles connues : { $known }
cfg-bad-url = URL de base invalide `{ $url }` : { $reason }
cfg-secret = impossible d'obtenir { $what } : { $reason }
cfg-tls = configuration TLS : { $why }
cfg-env = variable d'environnement { $var } : { $reason }
cfg-missing = la cible `{ $target }` n'a pas de { $what }
cfg-invalid = cible `{ $target }` : { $what } invalide : { $reason }
cfg-no-client-id = l'identifiant client de `{ $target }` n'est pas renseigné : exportez ROR_CLIENT_ID ou renseignez `auth.client_id` dans [targets.{ $target }]
cfg-secret-unreadable = lecture de { $file } impossible : { $e }
cfg-var-unset = variable d'environnement { $var } non définie
cfg-no-source = ni `env` ni `file` n'est donné
secret-cert-password = le mot de passe du certificat
secret-access-token = le jeton d'accès
secret-client-secret = le secret client
a-conformance-expected = aucun écart aux règles ROR (profils, NOS, graphe, visibilité, capacités)
s-missing-variables = la cible « { $target } » ne fournit pas : { $missing } — à donner dans rorcheck.toml : [targets.{ $name }] variables = {"{"} { $example } {"}"}
cap-no-header = en-tête { $name } absent de la réponse
cap-no-result = `{ $expr }` ne donne aucun résultat
scope-step-url = l'URL de l'étape
x-stalled = lecture interrompue : aucune donnée pendant { $ms } ms
scope-foreign = { $what } pointe vers une autre origine ({ $origin }) que la cible ({ $api }) : non suivi, le jeton n'y est pas envoyé (ajoutez cette origine à `trusted_origins` si elle est légitime)
