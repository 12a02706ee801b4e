// Boost.Test entry point for the common/rtpp suites.
#define BOOST_TEST_MODULE rtpp
#include <boost/test/unit_test.hpp>
