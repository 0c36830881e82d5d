# The Debian package, built by `cpack -G DEB` (scripts/package): relc_<version>_amd64.deb with
# what `cmake --install` installs under /usr, its runtime dependencies computed by
# dpkg-shlibdeps from the binary's own links, and the copyright file and changelog Debian
# policy asks for.

# The changelog's newest entry names the version being packaged: refuse to package another.
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog RELC_CHANGELOG_TOP LIMIT_COUNT 1)
string(REGEX MATCH "^relc \\(([^)]+)\\)" RELC_CHANGELOG_MATCH "${RELC_CHANGELOG_TOP}")
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "packaging/debian/changelog's newest entry is ${CMAKE_MATCH_1}, the project is "
                      "${PROJECT_VERSION}: add an entry for ${PROJECT_VERSION}")
endif()

# The VS Code extension built beside the package carries the same version.
file(READ ${PROJECT_SOURCE_DIR}/vscode-extension/package.json RELC_EXTENSION_MANIFEST)
string(JSON RELC_EXTENSION_VERSION GET "${RELC_EXTENSION_MANIFEST}" version)
if(NOT RELC_EXTENSION_VERSION STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "vscode-extension/package.json's version is ${RELC_EXTENSION_VERSION}, the project is "
                      "${PROJECT_VERSION}: give them the same")
endif()

set(RELC_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/relc)
set(RELC_CHANGELOG_GZ ${PROJECT_BINARY_DIR}/share/doc/relc/changelog.gz)
add_custom_command(
  OUTPUT ${RELC_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/share/doc/relc
  COMMAND gzip -9 -n -c ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${RELC_CHANGELOG_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog
  COMMENT "Compressing the changelog")
add_custom_target(relc_changelog ALL DEPENDS ${RELC_CHANGELOG_GZ})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright ${RELC_CHANGELOG_GZ} DESTINATION ${RELC_DOC_DIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME relc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "relc developers")
set(CPACK_PACKAGE_CONTACT "relc developers <maintainers@users.noreply.h-seed-462e9197.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "compiler and simulator for relationship-marketing programs")
# CPack puts the summary first, as the synopsis: the description is what follows it.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
       "relc reads programs written in .rel files: an objective, the panel of\n"
       "customers it targets, multi-step and multi-channel scenarios, marketing\n"
       "pressure and consent rules, and the KPIs that judge it. It checks them,\n"
       "formats them, draws their scenarios, compiles them with LLVM and simulates\n"
       "them over customer data to forecast their KPIs before launch. It also\n"
       "serves editors as a language server.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# `relc graph --format svg|png` runs graphviz's dot.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS graphviz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/package)
include(CPack)
