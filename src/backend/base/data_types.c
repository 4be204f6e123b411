#include <stdio.h>
#include <string.h>

#include "backend/base/data_types.h"
#include "util/buf.h"

static const char *entry(const char *const *types, int kind)
{
	return kind > 0 && kind < CORM__FIELD_KIND_COUNT ? types[kind] : NULL;
}

void corm__format_data_type(corm_buf *b, const char *const *types, const char *const *fallback,
                            int kind, int max_length, int max_digits, int decimal_places)
{
	const char *t = entry(types, kind);
	if (!t && fallback)
		t = entry(fallback, kind);
	if (!t)
		t = types[0] ? types[0] : (fallback ? fallback[0] : "");
	static const struct {
		const char *name;
		size_t len;
	} names[] = {
#define NAME(s) {s, sizeof s - 1}
	        NAME("%(max_length)s"),
	        NAME("%(max_digits)s"),
	        NAME("%(decimal_places)s"),
#undef NAME
	};
	const int values[] = {max_length, max_digits, decimal_places};
	while (*t) {
		const char *pct = strchr(t, '%');
		if (!pct) {
			corm_buf_puts(b, t);
			return;
		}
		corm_buf_put(b, t, (size_t)(pct - t));
		t = pct;
		size_t i = 0;
		while (i < sizeof names / sizeof names[0] &&
		       strncmp(t, names[i].name, names[i].len))
			i++;
		if (i < sizeof names / sizeof names[0]) {
			corm_buf_printf(b, "%d", values[i]);
			t += names[i].len;
		} else {
			corm_buf_putc(b, '%');
			t += t[1] == '%' ? 2 : 1;
		}
	}
}
