from publisher.cli import main
from publisher.cli.interrupt import exit_now_if_threads_linger

code = main()
exit_now_if_threads_linger(code)
raise SystemExit(code)
