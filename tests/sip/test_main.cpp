// Boost.Test entry point for the common/sip suites.
#define BOOST_TEST_MODULE test_sip
#include <boost/test/unit_test.hpp>
