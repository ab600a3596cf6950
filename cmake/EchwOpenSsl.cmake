# OpenSSL >= 4.0 with ECH. Either the system's (when it has openssl/ech.h), or the static build
# that scripts/bootstrap.sh makes, selected with -DECHW_OPENSSL_ROOT=<prefix>.
#
# Provides the target echw::openssl.
set(ECHW_OPENSSL_ROOT "" CACHE PATH "Prefix of a static OpenSSL >= 4.0 build (from scripts/bootstrap.sh)")

find_package(Threads REQUIRED)
add_library(echw_openssl INTERFACE)
add_library(echw::openssl ALIAS echw_openssl)

if(ECHW_OPENSSL_ROOT)
    set(_inc "${ECHW_OPENSSL_ROOT}/include")
    set(_ssl "${ECHW_OPENSSL_ROOT}/lib/libssl.a")
    set(_crypto "${ECHW_OPENSSL_ROOT}/lib/libcrypto.a")
    foreach(_f "${_inc}/openssl/ech.h" "${_ssl}" "${_crypto}")
        if(NOT EXISTS "${_f}")
            message(FATAL_ERROR "ECHW_OPENSSL_ROOT=${ECHW_OPENSSL_ROOT} lacks ${_f}; run scripts/bootstrap.sh")
        endif()
    endforeach()
    target_include_directories(echw_openssl SYSTEM INTERFACE "${_inc}")
    target_link_libraries(echw_openssl INTERFACE "${_ssl}" "${_crypto}" Threads::Threads ${CMAKE_DL_LIBS})
    # Qt's TLS backend loads the system libssl.so.3 at run time; our static copy must not
    # export its symbols to it (or the other way round). Only these two archives: hiding every
    # archive would also hide clang's static sanitizer runtime, whose malloc and free the shared
    # C++ library must see (the fuzz preset's ASan reports bad frees without them).
    target_link_options(echw_openssl INTERFACE "LINKER:--exclude-libs,libssl.a:libcrypto.a")
    message(STATUS "OpenSSL with ECH: static build in ${ECHW_OPENSSL_ROOT}")
else()
    find_package(OpenSSL 4.0 REQUIRED)
    include(CheckIncludeFile)
    set(CMAKE_REQUIRED_INCLUDES "${OPENSSL_INCLUDE_DIR}")
    check_include_file("openssl/ech.h" ECHW_HAVE_ECH_H)
    if(NOT ECHW_HAVE_ECH_H)
        message(FATAL_ERROR "OpenSSL ${OPENSSL_VERSION} has no openssl/ech.h; run scripts/bootstrap.sh")
    endif()
    target_link_libraries(echw_openssl INTERFACE OpenSSL::SSL OpenSSL::Crypto)
    message(STATUS "OpenSSL with ECH: system ${OPENSSL_VERSION}")
endif()
