// Shared by the libFuzzer targets: a property violation is a crash, so libFuzzer saves the input.
#pragma once

// Not assert(): the fuzz build is RelWithDebInfo, where NDEBUG turns asserts off.
#define FUZZ_CHECK(cond)           \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
