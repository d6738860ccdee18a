# The Windows build (mingw-w64 from Linux, see native/win/mingw-w64.cmake): the addon, loaded by
# Windows Node, and the IOCP shim's C test harness. Both run under Wine in the tests.
set(WIN_SHIM_SOURCES native/common/driver.c native/common/fdmap.c native/common/address.c native/win/iocp.c native/win/os_win32.c
  native/win/sockets_win32.c)
# Static runtime: Wine then needs no mingw DLLs beside the .node and the .exe.
set(WIN_LINK -static -static-libgcc -static-libstdc++ ws2_32 mswsock ntdll)
set(WIN_WARNINGS -Wall -Wextra -Wno-unused-parameter)

# An addon's Node-API symbols resolve against node.exe: an import library from the def file.
set(NODE_API_DEF ${CMAKE_SOURCE_DIR}/node_modules/node-api-headers/def/node_api.def)
set(NODE_API_IMPLIB ${CMAKE_BINARY_DIR}/libnode_api.a)
add_custom_command(OUTPUT ${NODE_API_IMPLIB}
  COMMAND ${CMAKE_DLLTOOL} -d ${NODE_API_DEF} -l ${NODE_API_IMPLIB}
  DEPENDS ${NODE_API_DEF})
add_custom_target(node_api_implib DEPENDS ${NODE_API_IMPLIB})

execute_process(COMMAND node -p "require('node-addon-api').include_dir"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE NODE_ADDON_API_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)

# Release and asserting builds, as on Linux (CMakeLists.txt).
function(add_win_addon name)
  add_library(${name} SHARED native/node/binding.cc ${WIN_SHIM_SOURCES})
  add_dependencies(${name} node_api_implib)
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".node")
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/node_modules/node-api-headers/include
    ${CMAKE_SOURCE_DIR}/${NODE_ADDON_API_DIR} native)
  target_compile_definitions(${name} PRIVATE NAPI_VERSION=8 NAPI_DISABLE_CPP_EXCEPTIONS)
  target_compile_options(${name} PRIVATE ${WIN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${NODE_API_IMPLIB} ${WIN_LINK})
endfunction()
add_win_addon(io_reactor)
add_win_addon(io_reactor_debug)
target_compile_options(io_reactor_debug PRIVATE -UNDEBUG)

add_executable(iocp_harness test/wine/iocp_harness.c ${WIN_SHIM_SOURCES})
target_include_directories(iocp_harness PRIVATE native)
target_compile_options(iocp_harness PRIVATE ${WIN_WARNINGS} -UNDEBUG)   # a test: assertions on
target_link_libraries(iocp_harness PRIVATE ${WIN_LINK})
