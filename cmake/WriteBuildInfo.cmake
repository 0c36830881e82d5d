# Writes OUTPUT, a C++ file defining relc::driver::ThisBuild(): the version, the commit the
# build is from (with whether the work tree had changes) and LLVM's version. Run at every build
# (tests/ and the package read it), rewritten only when it changes, so nothing recompiles.
#   cmake -DSOURCE_DIR=... -DOUTPUT=... -DVERSION=... -DLLVM_VERSION=... -P WriteBuildInfo.cmake
set(commit "unknown")
set(modified "false")
find_program(GIT git)
if(GIT AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT} -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE failed ERROR_QUIET)
  if(NOT failed)
    set(commit "${head}")
    execute_process(COMMAND ${GIT} -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT changes STREQUAL "")
      set(modified "true")
    endif()
  endif()
endif()
file(WRITE "${OUTPUT}.new" "// Written by cmake/WriteBuildInfo.cmake at build time; not a source file.
#include \"driver/build_info.h\"

namespace relc::driver {

const BuildInfo& ThisBuild() {
  static const BuildInfo build{\"${VERSION}\", \"${commit}\", ${modified}, \"${LLVM_VERSION}\"};
  return build;
}

}  // namespace relc::driver
")
configure_file("${OUTPUT}.new" "${OUTPUT}" COPYONLY)
file(REMOVE "${OUTPUT}.new")
