# cmake -DCORM_SOURCE_DIR=... -DPROBE_BUILD_DIR=... -P run.cmake
# Configures tests/packaging (corm with CORM_WITH_POSTGRES=OFF and CORM_WITH_MYSQL=OFF) into
# PROBE_BUILD_DIR, builds the library and the probe (-j2), and runs the probe.
if(NOT CMAKE_COMMAND_PATH)
  set(CMAKE_COMMAND_PATH ${CMAKE_COMMAND})
endif()
# run from make (make test): the sub-build's make must not use the outer make's jobserver
unset(ENV{MAKEFLAGS})
unset(ENV{MFLAGS})
unset(ENV{MAKELEVEL})
# a sanitizer pass's variables are for its own build, not this one
unset(ENV{ASAN_OPTIONS})

execute_process(COMMAND ${CMAKE_COMMAND_PATH} -S ${CORM_SOURCE_DIR}/tests/packaging -B ${PROBE_BUILD_DIR}
    -DCORM_SOURCE_DIR=${CORM_SOURCE_DIR} -DCMAKE_BUILD_TYPE=Debug
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the build without server backends failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND_PATH} --build ${PROBE_BUILD_DIR} -j2 --target no_server_backends
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building corm without server backends failed:\n${out}")
endif()
# no PostgreSQL or MariaDB source file may have been compiled into it
file(GLOB_RECURSE objects ${PROBE_BUILD_DIR}/corm/CMakeFiles/corm.dir/*.o)
foreach(o ${objects})
  if(o MATCHES "/src/backend/(postgres|mysql)/")
    message(FATAL_ERROR "built without server backends, yet compiled ${o}")
  endif()
endforeach()
# the pkg-config file asks only for what was built in
file(STRINGS ${PROBE_BUILD_DIR}/corm/corm.pc requires REGEX "^Requires.private:")
if(NOT requires STREQUAL "Requires.private: sqlite3 uuid libmd libidn libpcre2-8")
  message(FATAL_ERROR "corm.pc without server backends: expected 'Requires.private: sqlite3 uuid libmd libidn libpcre2-8', got '${requires}'")
endif()
execute_process(COMMAND ${PROBE_BUILD_DIR}/no_server_backends RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "no_server_backends failed (exit ${rc})")
endif()
