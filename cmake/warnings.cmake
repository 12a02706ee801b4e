# Every target of ours gets the same warning set through this interface library.
add_library(mohq_warnings INTERFACE)
target_compile_options(mohq_warnings INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wpedantic)
if(MOHQ_WERROR)
  target_compile_options(mohq_warnings INTERFACE -Werror)
endif()
