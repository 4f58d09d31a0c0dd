# Warnings are errors for msk's own targets (never for dependencies).
function(msk_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Werror)
endfunction()
