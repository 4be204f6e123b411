/* Names of the result codes. */
#include "corm/common.h"

const char *corm_strerror(int code)
{
	switch (code) {
	case CORM_OK:
		return "CORM_OK";
	case CORM_ROW:
		return "CORM_ROW";
	case CORM_DONE:
		return "CORM_DONE";
	case CORM_ERROR:
		return "CORM_ERROR";
	case CORM_ENOMEM:
		return "CORM_ENOMEM";
	case CORM_EINVAL:
		return "CORM_EINVAL";
	case CORM_ENOTFOUND:
		return "CORM_ENOTFOUND";
	case CORM_EMULTIPLE:
		return "CORM_EMULTIPLE";
	case CORM_ECONSTRAINT:
		return "CORM_ECONSTRAINT";
	case CORM_EVALIDATION:
		return "CORM_EVALIDATION";
	case CORM_EFIELD:
		return "CORM_EFIELD";
	case CORM_EPROTECTED:
		return "CORM_EPROTECTED";
	case CORM_EBACKEND:
		return "CORM_EBACKEND";
	case CORM_ETYPE:
		return "CORM_ETYPE";
	case CORM_EURL:
		return "CORM_EURL";
	case CORM_ENOTSUP:
		return "CORM_ENOTSUP";
	case CORM_EMODEL:
		return "CORM_EMODEL";
	case CORM_ETXN:
		return "CORM_ETXN";
	case CORM_ELOCKED:
		return "CORM_ELOCKED";
	case CORM_EDEADLOCK:
		return "CORM_EDEADLOCK";
	case CORM_ETIMEOUT:
		return "CORM_ETIMEOUT";
	case CORM_ECONNECTION:
		return "CORM_ECONNECTION";
	}
	return "CORM_UNKNOWN";
}
