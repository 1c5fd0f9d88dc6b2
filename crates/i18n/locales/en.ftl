## doctor: the pre-flight of an environment

doctor-environment = environment "{ $name }"
doctor-mark-failed = {"["}FAIL]
doctor-fix = → fix:
doctor-summary-ready = Summary: { $ok } check(s) passed, { $skipped } not applicable. Ready for `rorcheck run`.
doctor-summary-failures = Summary: { $failed } failed, { $ok } passed, { $skipped } not checked. Fix the failures before running scenarios.
doctor-access-profile = , access profile { $profile }
doctor-connection-environment = Connection to the environment
doctor-not-attempted-fix-certificate-first = not attempted: fix the certificate first
doctor-secrets-tls-material = Secrets and TLS material
doctor-no-authentication = no authentication
doctor-given-bearer-token = given bearer token
doctor-oauth2-client-credentials-with-secret = OAuth2 client_credentials with secret
doctor-oauth2-by-certificate-mtls = OAuth2 by certificate (mTLS)
doctor-export-ror-client-id-with = export ROR_CLIENT_ID with the client id the ROR team gave you
doctor-export-variable-named-ror-client = export the variable named (ROR_CLIENT_SECRET, ROR_CERT_PASSWORD...) or give `file = ...` in rorcheck.toml
doctor-use-known-name-declare-targets = use a known name or declare [targets.NAME] in rorcheck.toml
doctor-check-paths-content-tls-ror = check the paths and content of `tls` (ROR_CERT_P12, ROR_CERT_PEM, ROR_CERT_KEY, ROR_CA_BUNDLE)
doctor-fix-rorcheck-toml-see-readme = fix rorcheck.toml (see README, "Environments")
doctor-token-endpoint-reachable = Token endpoint reachable
doctor-fhir-server-reachable = FHIR server reachable
doctor-first-search = First search
doctor-fhir-server-unreachable = FHIR server unreachable
doctor-no-token = no token
doctor-ror-headers = Ror-* headers
doctor-not-oid = { $system } "{ $s }" is not an OID
doctor-code-missing = { $code } missing
doctor-system-missing = { $system } missing
doctor-set-four-values-ror-team = set the four values the ROR team gave you (ror_headers in rorcheck.toml or ROR_PROFIL_UTILISATEUR_CODE...)
doctor-answers-http = { $url } answers (HTTP { $status })
doctor-server-certificate-not-trusted-add = the server certificate is not trusted: add its CA chain to `ca` (ROR_CA_BUNDLE)
doctor-tls-handshake-fails-does-server = the TLS handshake fails: does the server require a client certificate (profiles 1 to 5)? Is it issued by IGC-Santé and valid?
doctor-check-url-network-proxy-https = check the URL, the network, the proxy (HTTPS_PROXY) and the firewall
doctor-url-no-answer = { $url }: no answer within { $seconds } s
doctor-check-network-proxy-firewall = check the network, the proxy and the firewall
doctor-access-token = Access token
doctor-no-authentication-configured-ror-access = no authentication configured (ROR_ACCESS_TOKEN for a target given by its URL, or `auth` in rorcheck.toml)
doctor-bearer-token-given = bearer token given
doctor-token-endpoint-unreachable = token endpoint unreachable
doctor-no-answer = no answer within { $seconds } s
doctor-try-again-later = try again later
doctor-client-id-secret-refused-check = client id or secret refused: check ROR_CLIENT_ID and ROR_CLIENT_SECRET (only profile 0 uses a secret)
doctor-client-refused-certificate-presented-one = client refused: is the certificate presented the one registered for this client id with the ROR team?
doctor-token-endpoint-refuses-handshake-client = the token endpoint refuses the handshake: client certificate missing, expired or not from IGC-Santé
doctor-token-endpoint-does-not-answer = the token endpoint does not answer properly: check the URL and the client certificate
doctor-answer-not-oauth2-token-url = the answer is not an OAuth2 token: is the URL the token endpoint?
doctor-fhir-resource-types = FHIR { $version }, { $resources } resource type(s)
doctor-ror-serves-r4 = the ROR serves FHIR R4 (4.0.1): is the base URL right?
doctor-http-no-capabilitystatement = HTTP { $status }, no CapabilityStatement{ $outcome }
doctor-base-url-must-end-with = the base URL must end with /ws-diffusion-fhir (without /metadata)
doctor-check-base-url = check the base URL
doctor-first-search-ok = HealthcareService?_count=1: searchset Bundle, total { $total }
doctor-no-token-sent-export-ror = no token sent: export ROR_ACCESS_TOKEN (target given by its URL) or configure `auth` in rorcheck.toml (client_credentials, mtls or bearer)
doctor-token-refused-expired-from-another = token refused: expired, from another environment, or bound to another certificate
doctor-check-four-ror-headers-access = check the four Ror-* headers and the access profile granted to this client
doctor-server-does-not-answer-like = the server does not answer like the ROR: is the base URL right?
doctor-http-no-searchset-bundle = HTTP { $status }, no searchset Bundle{ $outcome }
doctor-certificate-private-key = Certificate private key
doctor-private-key-matches-certificate = the private key matches the certificate
doctor-key-does-not-match-certificate = the key does not match the certificate ({ $why })
doctor-give-key-generated-with-this = give the key generated with this certificate's request (or the whole .p12)
doctor-ca-bundle = CA bundle (ca)
doctor-cannot-read = cannot read { $path }: { $e }
doctor-give-pem-chain = give the PEM file of the IGC-Santé chain (test CA for the sandbox)
doctor-holds-no-pem-certificate = { $path } holds no PEM certificate
doctor-file-must-hold-begin-certificate = the file must hold "BEGIN CERTIFICATE" blocks
doctor-ca-certificates = { $certs_count } certificate(s): { $names }
doctor-client-certificate-file = Client certificate: file
doctor-p12-password = {"."}p12 password
doctor-p12-opens = the .p12 opens
doctor-incomplete-ambiguous-configuration = incomplete or ambiguous configuration
doctor-give-either-p12-password-cert = give either `p12` (+ `password`) or `cert` and `key`
doctor-p12-does-not-open-wrong = the .p12 does not open: wrong password, or not a PKCS#12 file
doctor-file-must-hold-certificate-its = the file must hold the certificate and its private key
doctor-missing-unreadable = { $path } missing or unreadable
doctor-check-path-relative-current-directory = check the path (relative to the current directory) and permissions
doctor-subject-issuer = Subject and issuer
doctor-subject-issuer-sha-256 = subject "{ $subject }", issuer "{ $issuer }", SHA-256 { $fingerprint }
doctor-certificate-validity = Certificate validity
doctor-not-valid-yet-from = not valid yet (from { $not_before })
doctor-check-clock = check the machine's clock
doctor-expired-on = expired on { $not_after }
doctor-renew-certificate = renew the certificate with IGC-Santé
doctor-renew-it-soon = {" "}— renew it soon
doctor-valid-until-days = valid until { $not_after } ({ $days_left } days){ $soon }
doctor-issued-by-ca-that-not = issued by a CA that is not in the bundle (UnknownIssuer)
doctor-chain-not-valid-certificate-expired = the chain is not valid: certificate expired
doctor-chain-not-valid-yet = the chain is not valid: certificate not valid yet
doctor-certificate-does-not-allow-client = the certificate does not allow client authentication (extendedKeyUsage)
doctor-invalid-signature-chain = invalid signature in the chain
doctor-certificate-revoked = certificate revoked
doctor-chain-configured-ca = Chain to the configured CA
doctor-ca-bundle-unusable-see-above = CA bundle unusable (see above)
doctor-no-ca-configured-tls-ca = no CA configured (tls.ca or ROR_CA_BUNDLE): chain not checkable locally
doctor-certificate-issued-by-ca-bundle = the certificate is issued by a CA of the bundle and usable for client authentication
doctor-certificate-must-be-issued-by = the certificate must be issued by IGC-Santé (test CA for the sandbox): check the CA bundle and the certificate
doctor-password-in-variable = the variable { $var }
doctor-password-in-file = the file { $path }
doctor-password-in-variable-or-file = the variable { $var } or the file { $path }
doctor-password-nowhere = `tls.password` (no source configured)
doctor-password-check = check { $place }: the password chosen when the IGC-Santé certificate was issued
doctor-password-set = set { $place }
doctor-absent = missing
doctor-token-obtained = obtained: token_type { $token_type }, expires_in { $expires_in }{ $no_store ->
        [yes] , Cache-Control no-store
       *[no] , without Cache-Control no-store
    }

## Statuses

status-passed = passed
status-warning = warning
status-failed = failed
status-errored = errored
status-skipped = skipped
status-not-exercised = not exercised
status-not-applicable = not applicable

## report.html of a run

report-title = ROR conformance report
report-subtitle = check of the ROR FHIR R4 API as a client reaches it
report-heading = ROR API check — target "{ $target }"
report-interrupted = Run interrupted ({ $why }): finished scenarios keep their result, the others are errored.
report-by-priority = Results by priority
report-by-modality = Results by consumption modality
report-context = Run context
ctx-environment = Environment
ctx-base-url = FHIR base URL
ctx-auth = Authentication
ctx-token-server = Authorization server
ctx-client-id = Client id
ctx-client-certificate = Client certificate
ctx-tool = Tool
ctx-scenario-hash = Scenario set fingerprint
explain-tooltip = values of the FHIRPath sub-expressions
replay-curl = Replay with curl (secrets masked)
report-judged-before = This report judges <strong>the ROR FHIR API</strong> (here "{ $target }") as it answers this client, with its credentials, its certificate and its access profile (see the context below). It does not judge the vendor's application: that is what observer mode is for (
report-judged-after = ), whose report is the evidence to hand over for the application.
report-score-tooltip = Estimated success of the test cases, weighted by criticality
report-score = Weighted score:
report-legend = Priority 1 = CRITIQUE (PLATINES criticality 2), 2 = MAJEUR (1), 3 = MINEUR (0). Weighted score = max(0, 100 − 100 × critical failures − 50 × major failures − 25 × minor failures), an errored scenario counting as a failure. "Failed": the server did not meet a requirement. "Errored": rorcheck could not evaluate (connection, timeout, unreadable answer). "Skipped": not run, with its reason — a skipped CRITIQUE scenario makes the verdict "incomplete". "Not applicable": meant for another access profile, not counted. Verdict: "non-compliant" if a scenario failed; "incomplete" if nothing failed but something could not be evaluated (connection, TLS, credentials, timeout); "compliant" otherwise.
ctx-partly-masked = (partly masked)
ctx-none = none
ctx-access-profile = Access profile
ctx-unspecified = not specified
ctx-second-target = Second target
ctx-with-profile = , access profile { $profile }
ctx-second-target-use = : the scenarios of the profiles it serves
ctx-safeguards = Safeguards
ctx-production = production: heavy scenarios not run
ctx-no-restriction = no scenario restriction
ctx-rate-limit = , at most { $rate } requests/s
ctx-start = Start
ctx-end = End
ctx-duration = (duration { $duration })
report-scenarios = Scenarios
filter = Filter:
filter-passed = passed
filter-failed = failed
filter-errored = errored
filter-skipped = skipped
file = File:
requirements = Requirements:
tags = Tags:
line = line { $line }
col-result = Result
col-check = Check
col-expected = Expected
col-obtained = Obtained
captured = Captured values:
evidence = Evidence
colon = :{" "}
no-response = no response
request = Request
response = Response
stopped-early = Stopped early: { $why }
col-priority = Priority
col-criticality = PLATINES criticality
col-total = Total
col-passed = Passed
col-failed = Failed
col-errored = Errored
col-skipped = Skipped
col-penalty = Penalty per failure
col-modality = Modality
col-to-fix = To fix

## Counts (plural forms follow the language: French "one" covers 0 and 1)

count-scenarios = { $count ->
        [one] { $count } scenario
       *[other] { $count } scenarios
    }
count-passed = { $count } passed
count-failed = { $count } failed
count-errored = { $count } errored
count-skipped = { $count } skipped
count-not-applicable = { $count } not applicable
count-warnings = { $count ->
        [one] { $count } warning
       *[other] { $count } warnings
    }
count-attempts = { $count ->
        [one] { $count } attempt
       *[other] { $count } attempts
    }

## report.html: evidence and the observed session

note-no-response = No response received.
note-abridged = Passing step: body abridged to its first { $PASSING_BODY_SHOWN } bytes ({ $body_bytes } received); in full in report.json and in the evidence dossier (session.har).
note-truncated = Body truncated in this report ({ $body_bytes } bytes received).
note-empty-body = Empty body.
timing = headers in { $headers_ms } ms, full response in { $total_ms } ms
obs-token-none = none
obs-token-unreadable = unreadable
obs-token-valid = valid
obs-token-expired = expired
obs-token-invalid = invalid
obs-fact-page = page { $page } of { $pages } of the search { $search }
obs-fact-kickoff = kick-off of { $job }
obs-fact-manifest = manifest of { $job }
obs-fact-in-progress = { $job } in progress (Retry-After)
obs-fact-file = file { $file } of { $job }
obs-fact-token = token { $jti } issued
obs-fact-resources = { $count } resource(s) served
obs-verdict-ok = compliant on the exercised scope
obs-verdict-nothing = no scenario exercised

## junit.xml

junit-file = { $id } — { $title }
    file: { $file }
junit-step = [{ $status }] step "{ $name }" (line { $line })
junit-reason = reason: { $reason }
junit-assertion = { $label } { $kind } (line { $line }): expected { $expected }; obtained { $actual }
junit-failure = failure
junit-type-failure = non-compliance
junit-type-error = execution error
junit-not-exercised = not exercised by the application
junit-observation = observation { $modality }
junit-behaviour-suite = consumer behaviour
junit-session-suite = observed session
junit-session-case = SESSION Verdict of the observed session
junit-session-empty = no scenario exercised: the session showed nothing
junit-session-failed = { $failed } scenario(s) failed, { $behaviours_failed } behaviour(s) failed, { $passed } passed
har-request = request #{ $seq }

## Console

console-obtained = , obtained { $actual }
console-summary = { $passed } passed, { $failed } failed, { $errored } errored, { $skipped } skipped — { $total } scenarios in { $seconds } s{ $not_applicable_note }
console-not-applicable = {" "}({ $count } not applicable to the target's access profile)
console-stopped-early = Stopped early: { $why }
console-priority = P{ $priority } { $label } { $passed } passed / { $total } ({ $failed } failed, { $errored } errored, { $skipped } skipped)
console-interrupted = Run interrupted ({ $why }): unfinished scenarios counted as errored
console-verdict = Verdict: { $verdict } — weighted score { $score }/100
console-step = step "{ $name }" (line { $line }, { $ms } ms)
console-assertion = { $kind }: expected { $expected }
progress-scenarios = scenarios
mark-passed = PASS
mark-warning = WARN
mark-failed = FAIL
mark-errored = ERROR
mark-skipped = SKIP
mark-not-exercised = NOT EX
mark-not-applicable = N/A

## Verdicts

verdict-compliant = compliant
verdict-non-compliant = non-compliant
verdict-incomplete = incomplete
verdict-interrupted = interrupted

## report.html of an observed session

obs-title = Observation of an application consuming the ROR
obs-judged = This report judges <strong>the vendor's application</strong>: what it sent to the simulated ROR during the session, and how it behaved. It is the evidence that shows the application to the ROR programme team.
obs-how = played the ROR (FHIR R4 API and authorization server) and recorded every request of the application, as the PLATINES platform does. Each scenario is judged on the observed traffic: <strong>passed</strong> (expected requests seen and correct), <strong>failed</strong> (seen but wrong, with the difference), <strong>not exercised</strong>. Secrets, tokens and passwords are masked.
obs-score = PLATINES weighted score:
obs-coverage = Coverage:
obs-session = Session
obs-base = Simulated FHIR base
obs-app = Application launched
obs-transport = Transport
obs-profile = Access profile judged
obs-traffic = Traffic
obs-coverage-by-priority = Coverage by priority
obs-score-legend = Weighted score (PLATINES rule): 100 − 100 per failed CRITIQUE scenario − 50 per MAJEUR − 25 per MINEUR, at least 0. A scenario not exercised takes no points off: coverage says what was shown. { $count } scenarios test the server (refusals, removed headers, forged tokens) or another access profile and are not judged on a consumer's traffic.
obs-behaviour = The application's behaviour
obs-story = Day by day (update modality)
obs-day-zero = initial data: full extraction expected
obs-expected-request = Expected request:
obs-observed-requests = Observed requests:
obs-out = Scenarios outside observation
obs-history = Request history
obs-request-and-response = request and response
obs-connection-refused = connection refused
obs-score-none = not computed (the session showed nothing)
obs-observable = { $count ->
        [one] { $count } observable scenario
       *[other] { $count } observable scenarios
    }
count-not-exercised = { $count } not exercised
count-behaviours-failed = { $count } non-compliant behaviour(s)
obs-traffic-line = { $requests } requests including { $fhir } FHIR call(s) and { $tokens } token request(s); { $unexpected } outside any scenario
col-observable = Observable
col-not-exercised = Not exercised
col-coverage = Coverage
col-finding = Finding
request-number = #{ $seq }
obs-story-legend-1 = The simulated ROR changed its data day after day; the check
obs-story-legend-2 = verifies the full extraction of D0, an update (_lastUpdated) every day with a bound that misses nothing, and that every resource created, modified or closed was received after its change.
col-day = Day
col-start-utc = Start (UTC)
col-changes = Changes
obs-day-empty = no change (empty day)
col-scenario = Scenario
col-why-out = Why it is not judged on the consumer's traffic
obs-history-legend = Every request received, in order of arrival. Requests outside any scenario (unexpected operations in PLATINES terms):
obs-none-f = none
col-number = #
col-time-utc = Time (UTC)
col-token = Token (jti)
col-certificate = Certificate
obs-response-bytes = Response ({ $bytes } bytes
obs-start = , start

## Verdicts: assertions

a-header-absent = header { $name } absent
a-header-present = header { $name } present
a-header-contains = { $name } contains "{ $v }"
a-header-matches = { $name } matches /{ $re }/
a-result = result { $actual_value }
a-items = { $results_count } item(s)
a-sub-items = { $sub } → { $values_count } item(s){ $separator }{ $shown }{ $more }
a-sub-error = { $sub } → error: { $e }
a-entry = entry { $k }
a-empty-body-expected = empty body, { $resource_type } expected
a-other-type = resourceType { $other }, { $resource_type } expected
a-a-bundle = a Bundle
a-total-absent = total absent
a-entries = entries
a-entries-match = match entries
a-entries-include = include entries
a-link-present = link { $rel } present
a-link-absent = link { $rel } absent
a-no-link = no link
a-links = links: { $relations }
a-outcome-any = an OperationOutcome with at least one issue
a-outcome-with = an OperationOutcome with an issue { $wanted }
a-paged-only = this assertion only applies to a follow_next or export step
a-tls-refused-expected = TLS handshake refused by the server
a-tls-accepted = TLS connection accepted, HTTP response { $status }
a-empty-body = empty response body
a-no-finding-on = no deviation on { $scope }
a-findings = { $errors } deviation(s), { $warnings } warning(s) on { $scope }: { $listed }
a-and-more = … and { $count } more
a-http-status = HTTP status { $spec }
a-http-status-actual = HTTP status { $actual }

## Verdicts: $export

x-manifest-unavailable = manifest still unavailable after { $polls } status poll(s)
x-status-url = the export's Content-Location (status URL)
x-poll-failed = export polling: { $e }
x-poll-status = export polling: HTTP { $other } instead of 202 (in progress) or 200 (manifest)
x-types = exported types { $got }, expected { $want }
x-count-of-type = { $n } { $ty } resource(s), expected { $cmp }
x-duplicates = { $duplicate_count } resource(s) exported more than once: { $duplicates }
x-dangling = { $dangling_count } reference(s) without the target resource in the export: { $named }
x-files-ok = files readable, as the manifest says, no duplicate, promised references resolved
x-exported = { $count } resource(s) exported
x-file-url-unusable = unusable file URL "{ $url }" ({ $e })
x-content-type = content type "{ $content_type }": application/fhir+json or application/fhir+ndjson expected
x-file-url = the URL of the manifest's { $ty } file
x-scan-stopped = file analysis stopped: { $e }
check-all-because = automatic conformance check (--check-all)
x-record-limit = a resource exceeds the limit of { $limit } (max_record_mib): reading stopped
x-file-limit = file beyond the limit of { $limit } (max_export_file_mib): reading stopped
x-not-bundle = resourceType { $ty } instead of Bundle
x-kickoff-failed = export kick-off: { $e }
x-kickoff-status = export kick-off: expected 202 Accepted, obtained HTTP { $status }
x-kickoff-no-location = export kick-off: 202 without a usable Content-Location

## Verdicts: paging

p-followed = { $pages_count } page(s) followed{ $to_last }, { $distinct } distinct result(s), announced total { $total }{ $cap_note }
p-to-last = {" "}to the last
p-cap-reached = {" "}— documented cap of { $cap } results reached
p-expected = pages followed to the end, ≤ { $page_size } results per page, no duplicate nor loss{ $results }{ $cap }{ $more }
p-results = , results { $c }
p-cap-observed = , cap of { $cap } observed
p-no-truncation = , no truncation at { $cap }
p-interrupted = paging interrupted at page { $page }: { $why }
p-max-pages = a next link remains after { $pages_count } pages (max_pages): chain not followed to the end
p-too-many = page { $page }: { $n } results, more than the { $page_size } allowed (RG_RECH_52)
p-duplicates = { $duplicates_count } resource(s) returned on several pages: { $listed }{ $more }
p-total-varies = the total varies from page to page ({ $totals })
p-total-absent = Bundle.total absent from pages { $pages_without_total }
p-lost = { $lost } result(s) lost: { $distinct } collected following next for an announced total of { $total }
p-collected = { $distinct } results collected for an announced total of { $total }
p-truncated = search truncated at the documented cap of { $cap } results (total { $total }): a full extraction goes through $export
p-cap-not-observed = cap of { $cap } results not observed
p-pages-expected = { $pages_count } page(s), expected { $c }
p-distinct-expected = { $distinct } distinct result(s), expected { $c }
p-next-unusable = unusable next link "{ $next }" ({ $e })
p-next-of-page = the next link of page { $number }
p-not-followed = { $label } (asked while the page before was read, not followed: that page does not confirm it)
p-outside = { $what } points outside the target ({ $origin })

## Verdicts: steps and scenarios

a-tls-refused = TLS handshake refused: { $why }
s-after-attempts = { $r } (after { $attempts } attempts)
s-no-token = access token cannot be obtained: { $e }
s-token-origin = the access token is only sent to the FHIR API's origin (token leak, SSRF)
s-follow-origin = follow-up links on the target's origin ({ $api }) or a trusted origin
s-not-evaluated = not evaluated
s-expected-obtained = expected { $expected }, obtained { $actual }
s-fail-fast = --fail-fast: stopped after "{ $id }" ({ $status })
s-profiles = reserved for access profiles { $profiles }, the target uses profile { $profile }
s-too-small = the target "{ $name }" holds only { $held } offers, this scenario needs at least { $needed }
s-larger-failed = the { $offers }-offer target did not start: { $why }
s-previous-step = previous step did not pass
s-precondition = precondition not met (step "{ $name }"): { $r }
s-step = step "{ $name }": { $r }
s-unfinished = scenario unfinished: run interrupted ({ $why })
s-not-run = not run: { $why }
s-internal = rorcheck internal error
c-tls = TLS handshake refused
c-timeout = no response in time
c-credentials = credentials refused by the authorization server
s-cannot-build = request cannot be built: { $e }
c-connection = connection impossible
x-deadline = export not finished within { $seconds } s (export_deadline_secs): stopped { $when }
x-stage-before-manifest = before the manifest
x-stage-before-file = before this file
x-stage-waiting-file = while waiting for this file
x-stage-reading-file = while reading this file

## Command line

cli-run-header = rorcheck { $version } — { $count } scenario(s) on { $target } ({ $base_url })
cli-reports = Reports: { $html }, { $junit }, { $json }
cli-fail-on = Failures beyond --fail-on { $fail_on } only: exit 0
cli-evidence = Evidence dossier: { $path }
cli-count-scenarios = { $count } scenario(s)
cli-valid = { $count } valid scenario(s)
list-priority = PRIORITY
list-modality = MODALITY
list-title = TITLE
list-tags = TAGS
cli-failed = scenarios failed (see the reports)
cli-incomplete = incomplete check: some scenarios could not be evaluated (see the reports)
cli-checks-failed = checks failed (see above)
cli-interrupted = run interrupted by { $signal } (reports written with the finished scenarios)
cli-invalid-scenarios = invalid scenarios:

## Targets

auth-none = none
auth-bearer = static Bearer token
auth-secret = OAuth2 client_credentials with secret
auth-mtls = OAuth2 client_credentials by certificate (mTLS)
target-mock = mock (embedded simulated ROR)
target-mock-mtls = mock-mtls (embedded simulated ROR, mutual TLS, profile 1)

## Observer mode: behaviour checks, scenario verdicts, the day-by-day story

b-shortcomings = { $count ->
        [one] { $count } shortcoming
       *[other] { $count } shortcomings
    }
b-nothing = nothing to judge in the observed traffic
b-no-token = FHIR call without a token (no Authorization: Bearer header)
b-invalid-token = FHIR call with an invalid token (unreadable, badly signed or unknown)
b-comp01-title = Access token on every FHIR call
b-comp01-why = the ROR refuses (401) any call without a valid OAuth2 token
b-comp01-ok = { $calls_count } FHIR calls, all with a token
b-comp02-title = The four Ror-* headers on every FHIR call
b-comp02-why = the end user's profile and role (TRE_R78, raw OIDs) are required on every call
b-comp02-ok = { $calls_count } FHIR calls, headers as required
b-new-token-early = new token requested while the previous one was still valid for { $seconds } s
b-comp03-title = Token reused until it expires
b-comp03-why = one token per call overloads the authorization server; a token is good for its whole lifetime
b-comp03-ok = { $issued_count } token(s) obtained for { $calls } FHIR calls
b-comp03-ko = { $issued_count } tokens obtained for { $calls } FHIR calls: { $needless_count } needless renewal(s)
b-expired-since = {" "}(expired { $seconds } s ago)
b-expired-call = call with an expired token{ $since }: { $method } { $path }
b-comp04-title = New token requested before the previous one expires
b-comp04-why = an expired token is refused (401): the consumer asks for a new token before exp rather than waiting for the refusal
b-comp04-ok = the session outlived a token without any call made with an expired token
b-tls-refused = TLS connection refused: { $reason }
b-comp05-title = IGC-Santé client certificate presented (mTLS, profiles 1 to 5)
b-comp05-why = RFC 8705: without a certificate the TLS handshake is refused and no token is bound
b-comp05-ok = { $with_cert } requests on certificate-authenticated connections
b-comp06-title = Only documented search parameters
b-comp06-why = an unknown parameter is refused (400): the ROR guide lists those the server handles
b-comp06-ok = every parameter sent is documented
b-page-never = page { $page } of { $pages } never requested
b-comp07-title = Every next link followed to the last page
b-comp07-why = a search stopping before the last page loses offers without knowing it (a probe with _count ≤ 10 and no next page is not judged)
b-comp07-ok = { $firsts_count } multi-page search(es), all read
b-never-polled = the Content-Location URL was never polled
b-poll-after-manifest = poll #{ $seq } after the manifest (200): it should have stopped
b-poll-too-fast = poll { $gap } ms after the previous one while Retry-After asked for { $wait } s
b-poll-abandoned = polling abandoned before the manifest
b-file-never = manifest file { $file } never downloaded
b-comp08-title = $export: Retry-After honoured, stop at the manifest, every file downloaded
b-comp08-why = polling too fast overloads the ROR; a forgotten file is an incomplete extraction
b-comp08-ok = { $kickoffs_count } export(s) carried through
o-exit-code = { $when }exit code { $c }
o-signal = { $when }stopped by a signal
o-command-ok = the application's command succeeded ({ $runs_count } run(s))
o-command-ko = the application's command failed: { $failed }
o-profiles = reserved for access profiles { $list } (session observed with profile { $profile })
o-behaviour = what the consumer must show of it is a behaviour, judged once, by { $ids }
o-server-test = step "{ $name }" { $reason }: this scenario tests the server, not the consumer
o-no-own-request = no request of the consumer's own in this scenario
o-declared = declared request { $request }
o-sends-no-token = deliberately sends a request without a token
o-forged-token = presents a forged or expired token
o-removes-header = deliberately removes the { $omit_headers } header
o-forces-header = forces the { $name } header
o-no-certificate = deliberately connects without a certificate
o-expects-refusal = expects a refused connection
st-title = Day by day: D0 extraction, an update every day, checkpoint
st-why = every creation, modification and closure must reach the consumer through its updates
st-ok = { $days } day(s) played after D0, { $changes } change(s), all received
st-d0-incomplete = D0: full extraction unfinished, { $missing_count } offer(s) out of { $offers_count } never received (for example { $examples })
st-no-update = D{ $day }: no update (_lastUpdated) during the day{ $note }
st-empty-day = {" "}(a day without change: the consumer must still ask)
st-bound-late = D{ $day }: bound `_lastUpdated={ $value }` later than the day's changes ({ $at }): they are missed
st-never-received = D{ $day }: { $kind } of { $key } ({ $what }) never received by the consumer
j-refused-once = request #{ $seq } refused: { $r } (counted once, on { $id })
j-refused = request #{ $seq } seen but refused: { $r }
j-single-page = result fitting on one page: following next links could not be observed (ask for smaller pages with _count)
j-counted-07 = { $p } (counted once, on COMP-07)
j-counted-08 = { $p } (counted once, on COMP-08)
j-nothing-close = no request of the session comes close (expected: { $request })
j-request-diff = request #{ $seq }: { $d }
j-other-values = same search on other values: send the scenario's ones to exercise it
j-step-problem = "{ $name }": { $p }
j-partly = partly exercised: "{ $name }" ({ $expected }) never sent
j-behaviour-failed = behaviour { $id } ({ $title }) failed, counted once, on { $id }: { $summary }
j-behaviour-unseen = behaviour { $id } ({ $title }) not observed during the session
d-endpoint = endpoint `{ $actual }` instead of `{ $expected }`
d-missing = `{ $name }={ $value }` missing
d-extra = `{ $name }={ $value }` extra
d-value = `{ $name }` is `{ $actual }` instead of `{ $expected }`

## Command line: observe, serve, tools

obs-cli-launched = — application launched for D{ $d }
obs-cli-banner = Observation: rorcheck plays the ROR for your application.
obs-cli-base = {" "} FHIR base      : { $base_url }
obs-cli-token = {" "} OAuth2 token   : { $token_url }
obs-cli-certs = {" "} Certificates   : test CA (ca.pem) and client certificates in { $dir }
obs-cli-client-mtls = {" "} client_id      : { $client_id } (access profile 1, authenticated by its certificate)
obs-cli-secret = {" "} client_secret  : { $secret } (demo, access profile 0)
obs-cli-headers = {" "} Headers        : on every FHIR call
obs-cli-settings = {" "} Settings       : written to { $path }
obs-cli-story = {" "} Story          : D0 = initial data (do the full extraction)
obs-cli-per-day = {" "}                  the application is launched once a day, D0 to D4
obs-cli-day-every = {" "}                  next day every { $seconds } s
obs-cli-day-curl = {" "}                  next day: curl -X POST { $url }
obs-cli-app = Application: { $command } (ROR_* settings in its environment; the session ends with it)
obs-cli-recording-for = Recording for { $seconds } s (Ctrl-C to stop earlier)…
obs-cli-recording = Recording until Ctrl-C…
obs-cli-day-empty = — D{ $day } ({ $at }): no change
obs-cli-event = { $kind } of { $key }
obs-cli-day = — D{ $day } ({ $at }): { $events }
obs-cli-next-day = {" "} #{ $seq } next day requested
obs-cli-tls = {" "} #{ $seq } TLS connection refused: { $reason }
obs-cli-request = {" "} #{ $seq } { $method } { $path }{ $query } → { $status }{ $refusal }
obs-cli-application = Application: { $summary }
obs-cli-traffic = { $requests } request(s), { $fhir_calls } FHIR call(s), { $token_requests } token request(s).
obs-cli-scenarios = Scenarios: { $passed } passed, { $failed } failed, { $not_exercised } not exercised out of { $observable } observable ({ $out_of_scope } outside observation).
obs-cli-coverage = {" "} P{ $priority } { $label } coverage { $coverage_percent } % ({ $passed } passed, { $failed } failed / { $observable })
obs-cli-score = PLATINES weighted score: { $score } / 100
obs-cli-score-none = PLATINES weighted score: not computed (the session showed nothing)
obs-cli-failed = {" "} FAILED { $id } { $title } — { $reason }
obs-cli-target = observed application, simulated ROR { $base_url }
serve-listening = Mock ROR listening.
serve-faults = {" "} WARNING: injected faults: { $keys }
serve-example = {" "} Example: curl -s -d grant_type=client_credentials -d client_id={ $client_id } -d client_secret={ $secret } { $token_url }
serve-mtls-client = {" "} mTLS client     : { $id } (access profile { $profile }, certificate x5t#S256 { $thumbprint })
serve-certs-written = {" "} Test certificates (CA, server, clients): { $files_count } files in { $dir }
serve-write-certs = {" "} (--write-certs DIR writes the test CA and the client certificates)
serve-ctrl-c = Ctrl-C to stop.
tools-nos = { $code_systems_count } code systems, { $value_sets_count } value sets (NOS of { $date }) written to { $out }
tools-fixtures = { $resources_count } resources (seed { $seed }, { $offers } offers) written in { $files_count } files under { $out }
tools-export = { $n } scenarios written under { $dir } (rorcheck run { $dir } runs them)
signal-first = { $first } received: stopping, writing the reports… (a second signal quits at once)
signal-second = second signal: exiting at once, without reports

## Conformance findings (the rules' own rationale, data, stays French)

f-confidential-contact = contact of confidentiality { $level } (TRE_R283) served to access profile { $profile }, which must not see it
f-practitioner = Practitioner served to access profile { $profile }: reserved to profile 1 (mapping 0.7)
f-reserved-p1 = { $what } served to access profile { $profile }: reserved to profile 1
f-cap-p0 = no capacity is visible to profile 0
f-cap-p5 = profile 5 sees only installed capacities (TRE_R330 01)
f-cap-p23 = additional capacities (TRE_R330 06) are not visible to profiles 2 and 3
f-cap-served = capacity served to access profile { $profile }: { $why }
f-equipment-p0 = equipment served to access profile 0, which does not see it
f-sensitive-location = location of a sensitive unit ({ $hs }) served to access profile { $profile }
f-why-sensitive = its offer is a sensitive unit
f-why-p0-field = profile 0 sees only practice situations of the outpatient field
f-why-p3-field = profile 3 sees only those of the medico-social and outpatient fields
f-practice-served = practice situation of { $offer } served to access profile { $profile }: { $why }
f-code-deprecated = code { $code } of { $system } deprecated: to accept, no longer to produce
f-code-ending = code { $code } of { $system } at the end of its validity (dateFin): valid on an older resource
f-system-absent = NOS system { $system } absent from the snapshot of { $date }
f-jdv-as-system = { $system } is a value set (JDV) used as a code system: the TRE expected
f-no-server-rest = no rest of mode "server": the server declares no capability
f-resource-undeclared = resource { $ty } not declared ({ $because })
f-fhir-version = FHIR version "{ $version }": the ROR exposes FHIR R4 ({ $fhir_version_prefix }x)
f-formats = none of the formats { $formats } is declared (declared: { $formats_ })
f-operation-undeclared = operation ${ $name } not declared ({ $because })
f-interactions = { $ty }: interactions { $missing } not declared
f-search-params = { $ty }: search parameters { $missing } not declared
f-field-missing = { $ty }: { $missing } not declared in { $field }
f-none = none
f-requirements-unreadable = capability requirements unreadable: { $e }
f-type = { $name } must be of type { $ty }, found { $item }
f-no-code-bound = { $name }: no code from the tables { $binding } (required binding)
f-fixed = { $name }: { $k } fixed to { $want }
f-slice = { $def }.{ $path }: code bound to a slice ({ $slices }) but matching none (ror-act-type missing or unexpected?)
f-extension-undefined = { $def }: extension { $u } not defined at this place by the profile
f-complex-extension = { $name } is a complex extension (sub-extensions), found { $k }
f-malformed = { $name }: { $k } malformed: { $v }
f-out-of-codes = { $name }: { $v } outside the codes { $codes }
f-want-found = { $name }: { $want } expected, found { $found }
f-profile-undeclared = the profile { $canonical } is not declared (found: { $declared })
f-old-canonical = extension on an old canonical base: { $url } (expected { $canonical_base }...)
f-value-system = valueCodeableConcept of system { $system } expected, found { $e } — { $because }
f-system-instead = system { $s } instead of { $system } — { $because }
f-no-code-of = no code of { $system } — { $because }
f-no-identifier = no identifier of the expected type — { $because }
f-identifier-system = system { $found } instead of { $system } — { $because }
f-value-format = value "{ $value }" outside the format { $pattern } — { $because }
f-twice = { $url } present twice in the Bundle
f-total-mismatch = total { $total } inconsistent with { $matches } "match" result(s){ $note }
f-single-page = {" "}on a single page
f-include-absent = { $reference } asked for by _include={ $value } absent from the Bundle
f-iterate = { $reference } absent: _include:iterate=Organization:partof must climb to the legal entity
f-revinclude = included by _revinclude=PractitionerRole:service without pointing to a result offer ({ $refs })
f-last-updated = { $resource } does not satisfy _lastUpdated={ $value }
f-identifier-criterion = no identifier matches the criterion identifier={ $value }
f-tag-absent = tag absent: criterion _tag={ $value }

## HTTP and OAuth2 transport

h-timeout = no response within { $ms } ms
h-connect = connection impossible: { $why }
h-tls = TLS handshake refused: { $why }
h-build = invalid request: { $why }
h-other = exchange broken off: { $why }
h-endless = stream with no announced end
h-announced = { $size } announced
h-too-large = response body beyond the limit of { $limit } ({ $announced }): reading stopped
h-header-name = invalid header name `{ $name }`
h-header-value = invalid value for header `{ $name }`
h-oauth-unreachable = authorization server unreachable: { $why }
h-oauth-tls = TLS handshake refused by the authorization server: { $why }
h-oauth-refused = token refused by the authorization server (HTTP { $status }{ $code })
h-oauth-malformed = unreadable authorization server response: { $why }
h-oauth-too-large = response of more than { $size } for a token
h-har-start = start of the body only ({ $shown } bytes out of { $size })
h-key-unreadable = unreadable private key
h-key-unusable = unusable private key: { $why }
app-no-start = "{ $program }" does not start: { $e }
larger-too-few = { $found } visible offers out of { $generated } generated, { $offers } asked for
larger-name = { $name } — { $count } offers
larger-too-many = { $offers } offers asked for, the embedded target generates at most { $max } (memory): to be played against a real ROR

## Configuration

cfg-read = cannot read config file { $path }: { $reason }
cfg-parse = invalid config file { $path }: { $reason }
cfg-unknown-target = unknown target `{ $name }`; known targets: { $known }
cfg-bad-url = invalid base URL `{ $url }`: { $reason }
cfg-secret = cannot obtain the { $what }: { $reason }
cfg-tls = TLS configuration: { $why }
cfg-env = environment variable { $var }: { $reason }
cfg-missing = target `{ $target }` has no { $what }
cfg-invalid = target `{ $target }`: invalid { $what }: { $reason }
cfg-no-client-id = the client id of `{ $target }` is not set: export ROR_CLIENT_ID or set `auth.client_id` in [targets.{ $target }]
cfg-secret-unreadable = cannot read { $file }: { $e }
cfg-var-unset = environment variable { $var } is not set
cfg-no-source = neither `env` nor `file` is given
secret-cert-password = certificate password
secret-access-token = access token
secret-client-secret = client secret
a-conformance-expected = no deviation from the ROR rules (profiles, NOS, graph, visibility, capacities)
s-missing-variables = the target "{ $target }" does not provide: { $missing } — give it in rorcheck.toml: [targets.{ $name }] variables = {"{"} { $example } {"}"}
cap-no-header = header { $name } absent from the response
cap-no-result = `{ $expr }` gives no result
scope-step-url = the step's URL
x-stalled = reading stopped: no data for { $ms } ms
scope-foreign = { $what } points to another origin ({ $origin }) than the target ({ $api }): not followed, the token is not sent there (add this origin to `trusted_origins` if it is legitimate)
