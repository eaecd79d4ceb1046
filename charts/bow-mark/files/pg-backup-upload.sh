#!/bin/bash
# pg-backup, step 2 (aws-cli image): upload /backup/<db>/ to
# s3://$SPACES_NAME/$BACKUP_PREFIX/<db>/ on DigitalOcean Spaces, then delete
# that prefix's dumps older than $RETENTION_DAYS days (a Spaces lifecycle
# rule on the prefix is the safety net).
set -euo pipefail
export AWS_ACCESS_KEY_ID="$SPACES_KEY"
export AWS_SECRET_ACCESS_KEY="$SPACES_SECRET"
endpoint="https://${SPACES_REGION}.digitaloceanspaces.com"
bucket="s3://${SPACES_NAME}"
cutoff="$(date -u -d "-${RETENTION_DAYS} days" +%Y-%m-%d)"
for dir in /backup/*/; do
  db="$(basename "$dir")"
  target="${bucket}/${BACKUP_PREFIX}/${db}/"
  echo "=== uploading $db to $target ==="
  aws s3 cp --recursive "$dir" "$target" --endpoint-url "$endpoint"
  echo "=== deleting $db dumps older than $cutoff ==="
  aws s3 ls "$target" --endpoint-url "$endpoint" | while read -r _ _ _ file; do
    day="$(echo "$file" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' | head -n 1 || true)"
    if [[ -n "$day" && "$day" < "$cutoff" ]]; then
      aws s3 rm "${target}${file}" --endpoint-url "$endpoint"
    fi
  done
done
echo "all backups complete"
