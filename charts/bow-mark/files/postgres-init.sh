#!/bin/bash
# Creates the database of every tenant after the first (the image creates
# that one from POSTGRES_DB), owned by POSTGRES_USER. The postgres image runs
# /docker-entrypoint-initdb.d/* once, on an empty data directory; the
# NOT EXISTS guard makes a re-run harmless anyway.
set -euo pipefail
for db in ${POSTGRES_EXTRA_DATABASES:-}; do
  echo "postgres-init: creating database $db (owner $POSTGRES_USER)"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$db" -v owner="$POSTGRES_USER" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
SQL
done
