#!/bin/sh
# A ROR consumer in a few lines of shell, driven only by its environment: the ROR_*
# variables `rorcheck observe -- sh consumer.sh STATE_DIR` gives it (or that an --env-file
# holds). It does what a synchronising application does: a token, the full extraction by
# $export on its first day, then each day the changes since its previous synchronisation,
# page after page, with the four Ror-* headers on every call.
#
# Needs curl and jq. STATE_DIR keeps the date of the last synchronisation between runs.
set -eu

state_dir="${1:-${TMPDIR:-/tmp}/ror-consumer}"
mkdir -p "$state_dir"
since_file="$state_dir/since"
headers="$state_dir/headers"

tls=""
[ -n "${ROR_CA_BUNDLE:-}" ] && tls="--cacert $ROR_CA_BUNDLE"
[ -n "${ROR_CERT_PEM:-}" ] && tls="$tls --cert $ROR_CERT_PEM --key $ROR_CERT_KEY"

# One token for the whole run (client_credentials; by certificate under mTLS).
if [ -n "${ROR_CLIENT_SECRET:-}" ]; then
  token_json=$(curl -sSf $tls -X POST "$ROR_TOKEN_URL" -d grant_type=client_credentials \
    --data-urlencode "client_id=$ROR_CLIENT_ID" --data-urlencode "client_secret=$ROR_CLIENT_SECRET")
else
  token_json=$(curl -sSf $tls -X POST "$ROR_TOKEN_URL" -d grant_type=client_credentials \
    --data-urlencode "client_id=$ROR_CLIENT_ID")
fi
token=$(printf '%s' "$token_json" | jq -r .access_token)

# GET with the token and the four Ror-* headers; response headers go to $headers.
ror_get() {
  curl -sSf $tls -D "$headers" "$1" \
    -H "Authorization: Bearer $token" \
    -H "Accept: application/fhir+json" \
    -H "Ror-Profil-Utilisateur-Code: $ROR_PROFIL_UTILISATEUR_CODE" \
    -H "Ror-Profil-Utilisateur-System: $ROR_PROFIL_UTILISATEUR_SYSTEM" \
    -H "Ror-Role-Metier-Code: $ROR_ROLE_METIER_CODE" \
    -H "Ror-Role-Metier-System: $ROR_ROLE_METIER_SYSTEM"
}

header() { grep -i "^$1:" "$headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }

# A search followed through every `next` link; prints the server time of the first page.
search_all() {
  page=$(ror_get "$1")
  first_time=$(printf '%s' "$page" | jq -r '.meta.lastUpdated // empty')
  while next=$(printf '%s' "$page" | jq -r '.link[]? | select(.relation == "next") | .url') && [ -n "$next" ]; do
    page=$(ror_get "$next")
  done
  printf '%s' "$first_time"
}

day="${RORCHECK_STORY_DAY:-0}"
if [ "$day" = 0 ] || [ ! -s "$since_file" ]; then
  # Day 0: the full extraction, asynchronous ($export), polled as Retry-After asks.
  ror_get "$ROR_FHIR_BASE_URL/\$export?_type=HealthcareService&_outputFormat=application/fhir%2Bjson&includeAssociatedData=_myCompleteExtract" >/dev/null
  status_url=$(header content-location)
  while :; do
    manifest=$(ror_get "$status_url")
    [ -n "$manifest" ] && [ "$(printf '%s' "$manifest" | jq -r '.output | length')" != "null" ] && break
    wait=$(header retry-after)
    sleep "${wait:-1}"
  done
  for url in $(printf '%s' "$manifest" | jq -r '.output[].url'); do
    ror_get "$url" >/dev/null
  done
  printf '%s' "$manifest" | jq -r .transactionTime >"$since_file"
fi

# Every day: what changed since the previous synchronisation, with the offers' structures.
since=$(jq -rn --arg v "$(cat "$since_file")" '$v | @uri')
now=$(search_all "$ROR_FHIR_BASE_URL/HealthcareService?_lastUpdated=ge$since&_include=HealthcareService:organization&_include=HealthcareService:location&_count=20")
[ -n "$now" ] && printf '%s' "$now" >"$since_file"
echo "consumer: day $day synchronised (next bound $(cat "$since_file"))"
