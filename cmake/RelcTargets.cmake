# Helpers shared by every relc target.

# Sanitizers apply to everything we compile, generated parser included, so that a report
# points at the real fault wherever it is.
if(RELC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Our own code: strict warnings, as errors.
function(relc_strict_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror -Wnon-virtual-dtor -Wimplicit-fallthrough -Wshadow=local
    # C++20 designated initializers leave fields out on purpose.
    -Wno-missing-field-initializers)
endfunction()

# A library of one phase: sources, strict warnings, includes rooted at compiler/.
function(relc_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/compiler)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  relc_strict_warnings(${name})
endfunction()
