/* django.core.validators.validate_slug. */
#include "model/validators/validators.h"

bool corm__slug_valid(const char *s)
{
	/* ^[-a-zA-Z0-9_]+\Z */
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Field.run_validators(): every validator runs, each adding its message. */
