/*
 * corm.h - the Django ORM for C. Include this one header.
 *
 * Layers (each in its own header):
 *   corm/common.h    error codes, allocator
 *   corm/types.h     value types and corm_value
 *   corm/model.h     declaring models, the registry
 *   corm/db.h        connections, transactions, schema
 *   corm/instance.h  instances: new/save/delete/get_or_create/full_clean
 *   corm/query.h     QuerySets, Q and F, select_for_update
 *   corm/pool.h      a thread-safe connection pool
 */
#ifndef CORM_H
#define CORM_H

#define CORM_VERSION_MAJOR 0
#define CORM_VERSION_MINOR 1
#define CORM_VERSION_PATCH 0
#define CORM_VERSION       "0.1.0"

#include "corm/common.h"
#include "corm/types.h"
#include "corm/model.h"
#include "corm/db.h"
#include "corm/instance.h"
#include "corm/query.h"
#include "corm/pool.h"
#include "corm/introspection.h"

#endif
