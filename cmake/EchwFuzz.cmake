# ECHW_FUZZ=ON (the `fuzz` preset): every target is compiled with coverage instrumentation for
# libFuzzer plus AddressSanitizer and UndefinedBehaviorSanitizer, so the parsers in echw_core and
# echw_server report what the fuzzer reaches and crash on the first memory or UB error. Only the
# fuzz targets (tests/fuzz) link libFuzzer itself; with the option off nothing here applies.
if(NOT ECHW_FUZZ)
    return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ECHW_FUZZ needs clang (libFuzzer); configure with the `fuzz` preset")
endif()

# A UB report must stop the run like a crash does, or the fuzzer would count it as a pass.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
