# Our own code builds with every warning as an error; third-party code (Qt, OpenSSL headers)
# comes in as system includes and is not affected.
function(echw_strict_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()
