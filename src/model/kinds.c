/* Static facts about field kinds. */
#include "model/meta.h"

const char *corm__kind_name(corm_field_kind kind)
{
	switch (kind) {
	case CORM_FIELD_AUTO:
		return "AutoField";
	case CORM_FIELD_BIGAUTO:
		return "BigAutoField";
	case CORM_FIELD_CHAR:
		return "CharField";
	case CORM_FIELD_TEXT:
		return "TextField";
	case CORM_FIELD_SLUG:
		return "SlugField";
	case CORM_FIELD_EMAIL:
		return "EmailField";
	case CORM_FIELD_URL:
		return "URLField";
	case CORM_FIELD_INT:
		return "IntegerField";
	case CORM_FIELD_BIGINT:
		return "BigIntegerField";
	case CORM_FIELD_SMALLINT:
		return "SmallIntegerField";
	case CORM_FIELD_POSITIVE_INT:
		return "PositiveIntegerField";
	case CORM_FIELD_FLOAT:
		return "FloatField";
	case CORM_FIELD_DECIMAL:
		return "DecimalField";
	case CORM_FIELD_BOOL:
		return "BooleanField";
	case CORM_FIELD_DATE:
		return "DateField";
	case CORM_FIELD_DATETIME:
		return "DateTimeField";
	case CORM_FIELD_TIME:
		return "TimeField";
	case CORM_FIELD_DURATION:
		return "DurationField";
	case CORM_FIELD_UUID:
		return "UUIDField";
	case CORM_FIELD_BINARY:
		return "BinaryField";
	case CORM_FIELD_JSON:
		return "JSONField";
	case CORM_FIELD_FK:
		return "ForeignKey";
	case CORM_FIELD_POSITIVE_SMALLINT:
		return "PositiveSmallIntegerField";
	case CORM_FIELD_POSITIVE_BIGINT:
		return "PositiveBigIntegerField";
	case CORM_FIELD_SMALLAUTO:
		return "SmallAutoField";
	case CORM_FIELD_GENERIC_IP:
		return "GenericIPAddressField";
	}
	return "Field";
}

corm_type corm__kind_vtype(corm_field_kind kind)
{
	switch (kind) {
	case CORM_FIELD_CHAR:
	case CORM_FIELD_TEXT:
	case CORM_FIELD_SLUG:
	case CORM_FIELD_EMAIL:
	case CORM_FIELD_URL:
	case CORM_FIELD_GENERIC_IP:
		return CORM_TYPE_TEXT;
	case CORM_FIELD_FLOAT:
		return CORM_TYPE_FLOAT;
	case CORM_FIELD_DECIMAL:
		return CORM_TYPE_DECIMAL;
	case CORM_FIELD_BOOL:
		return CORM_TYPE_BOOL;
	case CORM_FIELD_DATE:
		return CORM_TYPE_DATE;
	case CORM_FIELD_DATETIME:
		return CORM_TYPE_DATETIME;
	case CORM_FIELD_TIME:
		return CORM_TYPE_TIME;
	case CORM_FIELD_DURATION:
		return CORM_TYPE_DURATION;
	case CORM_FIELD_UUID:
		return CORM_TYPE_UUID;
	case CORM_FIELD_BINARY:
		return CORM_TYPE_BYTES;
	case CORM_FIELD_JSON:
		return CORM_TYPE_JSON;
	default:
		return CORM_TYPE_INT;
	}
}

bool corm__kind_is_text(corm_field_kind kind)
{
	return corm__kind_vtype(kind) == CORM_TYPE_TEXT && kind != CORM_FIELD_GENERIC_IP;
}

bool corm__kind_is_auto(corm_field_kind kind)
{
	return kind == CORM_FIELD_AUTO || kind == CORM_FIELD_BIGAUTO ||
	       kind == CORM_FIELD_SMALLAUTO;
}

bool corm__kind_is_int(corm_field_kind kind)
{
	return corm__kind_vtype(kind) == CORM_TYPE_INT;
}
