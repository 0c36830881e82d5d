# Helpers shared by every relc target.

# Sanitizers apply to everything we compile, generated parser included, so that a report
# points at the real fault wherever it is.
if(RELC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Fuzzing (clang only): everything carries libFuzzer's coverage instrumentation, and the
# harnesses under tests/fuzz link its driver.
if(RELC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RELC_FUZZ needs clang (configure with -DCMAKE_CXX_COMPILER=clang++-19)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Other builds are hardened as Debian builds its packages (dpkg-buildflags): a stack protector,
# fortified libc calls where optimised, and relocations made read-only once resolved at load.
if(NOT RELC_SANITIZE AND NOT RELC_FUZZ)
  add_compile_options(-fstack-protector-strong $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
  add_link_options(-Wl,-z,relro,-z,now)
endif()

# Our own code: strict warnings, as errors.
function(relc_strict_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror -Wnon-virtual-dtor -Wimplicit-fallthrough
    $<IF:$<CXX_COMPILER_ID:GNU>,-Wshadow=local,-Wshadow-uncaptured-local>
    # clang flags libstdc++ 12's own std::stable_sort (it calls get_temporary_buffer).
    $<$<CXX_COMPILER_ID:Clang>:-Wno-deprecated-declarations>
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
