"""papertide: trending research papers, searched by keywords and by meaning, and
delivered to each reader's inbox once a day.

    from papertide import Settings, open_services
    services = open_services(Settings(data_dir="data"))
    services.search.search("sample efficient multi-agent RL")
"""

from papertide.config import Settings
from papertide.services import Services, open_services

__version__ = "0.1.0"
__all__ = ["Services", "Settings", "open_services", "__version__"]
