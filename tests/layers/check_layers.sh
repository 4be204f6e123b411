#!/usr/bin/env bash
# check_layers.sh SRC_DIR: fails when an #include between src/ folders runs against the layer
# order (docs/architecture.md). A folder may include its own headers and those of the folders
# below it; folders of one rank (persist, schema) do not include each other.
set -euo pipefail
src=${1:?usage: check_layers.sh SRC_DIR}

declare -A rank=(
	[util]=0       # buffers, allocator, errors: no ORM knowledge
	[types]=1      # dates, decimals, UUIDs, values
	[model]=2      # field kinds, metadata, registry, instances in memory, validation
	[query]=3      # the query tree: expressions, lookups, Q, name resolution
	[sql]=4        # the compiler, the SQL buffer, what it caches per connection
	[backend]=5    # drivers and dialects
	[db]=6         # connections, transactions, statements, the pool
	[queryset]=7   # QuerySets: tree + compiler + connection + row decoding
	[persist]=8    # save, create, delete, refresh, get_or_create (above the QuerySet)
	[schema]=8     # the schema editor: DDL through a connection
)

bad=0
while IFS= read -r -d '' file; do
	rel=${file#"$src"/}
	from=${rel%%/*}
	if [ -z "${rank[$from]+x}" ]; then
		echo "check_layers: $rel: folder '$from' has no rank (add it to $0 and docs/architecture.md)"
		bad=1
		continue
	fi
	while IFS= read -r target; do
		to=${target%%/*}
		[ "$to" = "$from" ] && continue
		[ "$to" = corm ] && continue # the public headers
		if [ -z "${rank[$to]+x}" ]; then
			echo "check_layers: $rel includes \"$target\": folder '$to' has no rank"
			bad=1
		elif [ "${rank[$to]}" -ge "${rank[$from]}" ]; then
			echo "check_layers: $rel (${from}, rank ${rank[$from]}) includes \"$target\" (${to}, rank ${rank[$to]}): dependencies must point down"
			bad=1
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\/[^"]*\)".*/\1/p' "$file")
done < <(find "$src" -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)

if [ "$bad" -ne 0 ]; then
	echo "check_layers: FAILED"
	exit 1
fi
echo "check_layers: every include between src/ folders points down"
