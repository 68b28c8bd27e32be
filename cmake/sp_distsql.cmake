# The DistSQL parser library sp_distsql: ShardingSphere's DistSQL grammar (grammar/distsql/),
# turned into C++ at build time in the build directory, and src/admin/distsql/, which runs it
# and turns its tree into admin's DistSqlStatement (admin/distsql.h). Included by CMakeLists.txt
# after cmake/sp_parser.cmake (whose ANTLR tool and runtime it uses), in both the normal build
# and the fuzz build (SHARDPROXY_FUZZ).
set(SP_DISTSQL_GRAMMAR_DIR ${CMAKE_SOURCE_DIR}/grammar/distsql)
set(SP_DISTSQL_GEN_DIR ${CMAKE_BINARY_DIR}/generated/distsql)
set(SP_DISTSQL_GEN_SOURCES ${SP_DISTSQL_GEN_DIR}/DistSqlLexer.cpp ${SP_DISTSQL_GEN_DIR}/DistSqlParser.cpp)
# The visitor files are generated too (antlr_generate.cmake asks for them) but not compiled: the
# transform walks the tree's contexts itself.
add_custom_command(
  OUTPUT ${SP_DISTSQL_GEN_SOURCES}
         ${SP_DISTSQL_GEN_DIR}/DistSqlLexer.h ${SP_DISTSQL_GEN_DIR}/DistSqlParser.h
         ${SP_DISTSQL_GEN_DIR}/DistSqlLexer.tokens ${SP_DISTSQL_GEN_DIR}/DistSqlParser.tokens
  COMMAND ${CMAKE_COMMAND} -DANTLR=${ANTLR4_TOOL} -DGRAMMAR_DIR=${SP_DISTSQL_GRAMMAR_DIR}
          -DOUTPUT_DIR=${SP_DISTSQL_GEN_DIR} -DPACKAGE=shardproxy::admin::distsql::gen
          -DLEXER=DistSqlLexer.g4 -DPARSER=DistSqlParser.g4
          -P ${CMAKE_SOURCE_DIR}/cmake/antlr_generate.cmake
  DEPENDS ${SP_DISTSQL_GRAMMAR_DIR}/DistSqlLexer.g4 ${SP_DISTSQL_GRAMMAR_DIR}/DistSqlParser.g4
          ${CMAKE_SOURCE_DIR}/cmake/antlr_generate.cmake
  COMMENT "Generating the DistSQL parser with ANTLR"
  VERBATIM)
# Not ours to fix: no warnings; ANTLR 4.7.2 writes u8"" literals into std::string (see
# sp_parser.cmake).
set_source_files_properties(${SP_DISTSQL_GEN_SOURCES} PROPERTIES COMPILE_OPTIONS "-w;-fno-char8_t")
file(GLOB SP_DISTSQL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/admin/distsql/*.cc)
add_library(sp_distsql STATIC ${SP_DISTSQL_GEN_SOURCES} ${SP_DISTSQL_SOURCES})
# The ANTLR runtime and the generated headers stay private: the DistSQL tree never leaves
# src/admin/distsql/. sp_parser lends the code point decoding and MySQL's string unescaping.
target_include_directories(sp_distsql SYSTEM PRIVATE ${ANTLR4_RUNTIME_INCLUDE_DIR} ${SP_DISTSQL_GEN_DIR})
target_compile_options(sp_distsql PRIVATE -Wno-attributes)
target_link_libraries(sp_distsql PUBLIC sp_common PRIVATE sp_parser ${ANTLR4_RUNTIME_LIBRARY})
