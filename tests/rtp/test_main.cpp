// The one translation unit that defines the Boost.Test module (and so its main()).
#define BOOST_TEST_MODULE test_rtp
#include <boost/test/unit_test.hpp>
