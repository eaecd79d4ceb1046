#!/bin/bash
# pg-backup, step 1 (postgres image): pg_dump -Fc of every database in
# $BACKUP_DATABASES into /backup/<db>/<db>_<UTC timestamp>.pgdump.
# Connection: $PGHOST, $PGPORT, $PGUSER and $PGPASSWORD from the pod env.
set -euo pipefail
: "${PGPASSWORD:?PGPASSWORD is not set: check the postgres Secret's password key}"
stamp="$(date -u +%Y-%m-%d_%H%M%S)"
for db in $BACKUP_DATABASES; do
  echo "=== dumping $db ==="
  mkdir -p "/backup/$db"
  pg_dump -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -Fc "$db" > "/backup/$db/${db}_${stamp}.pgdump"
  du -h "/backup/$db/${db}_${stamp}.pgdump"
done
