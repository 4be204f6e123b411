#include "util/buf.h"
