#!/usr/bin/env bash
# Back up a Bảng tin server: the PostgreSQL database, the media store, the private store of
# citizens' feedback photos, the instance folder (secret key) and the environment file.
#
#   deploy/backup.sh [--env-file FILE] [--keep DAYS] [DEST]
#
# Settings come from the environment file (default /etc/bangtin/kiosk.env: KIOSK_DATABASE_URL,
# KIOSK_MEDIA_DIR, KIOSK_INSTANCE_PATH, KIOSK_FEEDBACK_PHOTO_DIR); a variable already set in the
# environment wins over the file. Each run writes DEST/<YYYY-mm-ddTHHMMSS>/ (default DEST
# /var/backups/bangtin) holding:
#   database.dump      pg_dump -Fc (restore with pg_restore into an empty database)
#   media/             the media store as a tree; files unchanged since the previous backup are hard
#                      links to it (the store is content-addressed: a file never changes under its name)
#   feedback-photos/   citizens' photos, the same way (private: keep backups as private as the server)
#   instance.tar.gz    the instance folder: secret_key, config.py
#   kiosk.env          a copy of the environment file (database password, secrets)
# A folder appears under its final name only once complete; backups older than DAYS (default 14)
# are removed. README.md § Backups tells how to restore.
set -euo pipefail
umask 077

env_file=${BANGTIN_ENV_FILE:-/etc/bangtin/kiosk.env}
keep_days=14
dest=/var/backups/bangtin
home=${BANGTIN_HOME:-/srv/bangtin}   # the checkout: relative paths in the settings start here

die() { echo "backup.sh: $*" >&2; exit 1; }

while (($#)); do
  case $1 in
    --env-file) env_file=${2:?--env-file needs a file}; shift 2 ;;
    --keep) keep_days=${2:?--keep needs a number of days}; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) dest=$1; shift ;;
  esac
done
[[ $keep_days =~ ^[1-9][0-9]*$ ]] || die "--keep must be a whole number of days (1 or more)"
dest=$(realpath -m -- "$dest")   # rsync's --link-dest needs an absolute path

# Read the settings this script needs from the environment file, without executing it.
if [[ -r $env_file ]]; then
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?(KIOSK_DATABASE_URL|KIOSK_MEDIA_DIR|KIOSK_INSTANCE_PATH|KIOSK_FEEDBACK_PHOTO_DIR)=(.*)$ ]] \
      || continue
    name=${BASH_REMATCH[2]} value=${BASH_REMATCH[3]}
    [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]] && value=${BASH_REMATCH[1]}
    [[ -n ${!name:-} ]] || printf -v "$name" '%s' "$value"
  done <"$env_file"
elif [[ -e $env_file ]]; then
  die "cannot read $env_file (run as root or as the service user)"
fi

absolute() { [[ $1 == /* ]] && printf '%s' "$1" || printf '%s/%s' "$home" "$1"; }
database_url=${KIOSK_DATABASE_URL:-}
media_dir=$(absolute "${KIOSK_MEDIA_DIR:-media}")
instance_dir=$(absolute "${KIOSK_INSTANCE_PATH:-instance}")
photo_dir=$(absolute "${KIOSK_FEEDBACK_PHOTO_DIR:-$instance_dir/feedback-photos}")

[[ -n $database_url ]] || die "KIOSK_DATABASE_URL is not set (in $env_file or the environment)"
# SQLAlchemy's postgresql+psycopg://user:password@host:port/name is libpq's URI without the driver.
[[ $database_url =~ ^postgres(ql)?(\+[a-z0-9]+)?://(.*)$ ]] \
  || die "KIOSK_DATABASE_URL is not a PostgreSQL URL; this script backs up PostgreSQL only"
rest=${BASH_REMATCH[3]}
# The password goes to pg_dump through PGPASSWORD, not its command line, which every user can read.
if [[ $rest =~ ^([^:@/]*):([^@/]*)@(.*)$ ]]; then
  rest="${BASH_REMATCH[1]}@${BASH_REMATCH[3]}"
  password=${BASH_REMATCH[2]}
  PGPASSWORD=$(printf '%b' "${password//%/\\x}")   # the URL's percent-escapes, decoded
  export PGPASSWORD
fi
pg_url="postgresql://$rest"
[[ -d $media_dir ]] || die "media folder $media_dir does not exist"
[[ -d $instance_dir ]] || die "instance folder $instance_dir does not exist"
for tool in pg_dump pg_restore rsync tar flock; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install postgresql-client rsync)"
done

mkdir -p "$dest"
exec 9>"$dest/.lock"
flock -n 9 || die "another backup is writing to $dest"
rm -rf "$dest"/.partial-*   # left by a run that was killed; never a complete backup

stamp=$(date +%Y-%m-%dT%H%M%S)
final=$dest/$stamp
[[ ! -e $final ]] || die "$final already exists"
work=$dest/.partial-$stamp
trap 'rm -rf "$work"' EXIT
mkdir "$work"
# The newest complete backup, whose unchanged files the new one links to instead of copying.
previous=$(find "$dest" -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]' \
  | sort | tail -n 1)

pg_dump --format=custom --file="$work/database.dump" "$pg_url"
pg_restore --list "$work/database.dump" >/dev/null   # the dump reads back

snapshot() {  # snapshot SOURCE NAME: SOURCE/ as $work/NAME/, hard-linked to the previous backup's copy
  local link=()
  [[ -n $previous && -d $previous/$2 ]] && link=(--link-dest="$previous/$2")
  # .incoming and .tmp hold uploads still being written: never part of the store.
  rsync -a --delete --exclude=/.incoming/ --exclude=/.tmp/ "${link[@]}" "$1/" "$work/$2/"
}
snapshot "$media_dir" media
if [[ -d $photo_dir ]]; then
  snapshot "$photo_dir" feedback-photos
fi
tar --create --gzip --file="$work/instance.tar.gz" --directory="$instance_dir" --exclude=./feedback-photos .
if [[ -r $env_file ]]; then
  cp "$env_file" "$work/kiosk.env"
fi

mv "$work" "$final"
trap - EXIT

# Retention by the folders' names (their times), never by anything inside them.
cutoff=$(date -d "-$keep_days days" +%Y-%m-%dT%H%M%S)
for old in "$dest"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]; do
  [[ -d $old && $old != "$final" && ${old##*/} < $cutoff ]] && rm -rf "$old"
done
echo "$final"
