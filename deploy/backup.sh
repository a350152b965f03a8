#!/bin/sh
# Nightly backup: the database with pg_dump, and the files (bucket or folder) beside it.
# Run as a user who can read /etc/inspection/inspection.env, e.g. from cron:
#   15 2 * * * /srv/inspection/deploy/backup.sh /var/backups/inspection
set -eu
target=${1:?give the backup folder}
set -a; . /etc/inspection/inspection.env; set +a
stamp=$(date +%Y%m%d-%H%M)
mkdir -p "$target"
pg_dump --format=custom --file="$target/inspection-$stamp.dump" "$DATABASE_URL"
if [ "${INSPECTION_STORAGE:-local}" = s3 ]; then
    # Files never change once written (they are named by their hash), so a mirror is enough:
    # MinIO's client shown; `ossutil sync` (Aliyun) and `coscli sync` (Tencent) do the same.
    mc mirror --overwrite "inspection/$INSPECTION_S3_BUCKET" "$target/files"
else
    rsync -a "$INSPECTION_FILES_DIR/" "$target/files/"
fi
find "$target" -maxdepth 1 -name 'inspection-*.dump' -mtime +30 -delete
